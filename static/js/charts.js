/* Draws every chart of a page from the figure JSON the server embedded with json_script.
   No inline script, no request to any other host: maps read their topojson from this site. */
(function () {
  "use strict";

  function figureOf(el) {
    var data = document.getElementById(el.dataset.figure);
    return data ? JSON.parse(data.textContent) : null;
  }

  function draw(el) {
    var figure = figureOf(el);
    if (!figure || !window.Plotly) { return Promise.resolve(); }
    if (!figure.data || figure.data.length === 0) {
      el.classList.add("chart-empty");
      el.textContent = el.closest("figure").dataset.emptyText || "—";
      el.dataset.drawn = "empty";
      return Promise.resolve();
    }
    var config = {
      responsive: true,
      displaylogo: false,
      locale: document.documentElement.lang || "en",
      topojsonURL: el.dataset.topojson,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
      toImageButtonOptions: { format: "png", filename: el.dataset.filename || "chart", scale: 2 }
    };
    return window.Plotly.newPlot(el, figure.data, figure.layout, config).then(function () {
      el.dataset.drawn = "true";
      el.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        var url = point && point.customdata && point.customdata[0];
        // Only this site's own pages: a figure never sends the reader elsewhere.
        if (typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/") {
          window.location.assign(url);
        }
      });
    });
  }

  function saveImage(id) {
    var el = document.getElementById(id);
    if (el && window.Plotly && el.dataset.drawn === "true") {
      window.Plotly.downloadImage(el, { format: "png", filename: el.dataset.filename || id, scale: 2 });
    }
  }

  function start() {
    var charts = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
    Promise.all(charts.map(draw)).then(function () {
      document.body.dataset.chartsReady = "true";
    }, function (error) {
      document.body.dataset.chartsReady = "error";
      throw error;
    });
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-save-image]");
      if (button) { saveImage(button.dataset.saveImage); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
