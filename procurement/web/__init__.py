"""Flask glue: the Api, problem+json rendering, request sessions, auth guards, base templates."""
