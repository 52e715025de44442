/* Starts Swagger UI on /docs (api/web/docs.py). A file, not an inline script, so the page runs
 * under the service's Content-Security-Policy (script-src 'self'). The OpenAPI address comes
 * from the page (data-openapi-url); nothing is fetched from another site: no validator badge. */
(function () {
  "use strict";
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
  });
})();
