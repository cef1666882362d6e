"""The online procurement rate (网采率, RULES.md 4): what buyers bought through the platform
against what they reported buying off it, per institution, county, city and province."""
