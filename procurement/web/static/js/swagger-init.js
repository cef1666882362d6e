// Starts Swagger UI at /api/v1/docs (a static file: the Content-Security-Policy forbids inline
// script). The page's #swagger-ui-container carries the OpenAPI document's URL and the config.
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  var config = JSON.parse(container.dataset.config || "{}");
  config.url = container.dataset.specUrl;
  config.dom_id = "#swagger-ui-container";
  window.ui = SwaggerUIBundle(config);
});
