/* Draws every chart of a page from the figure JSON the server embedded with json_script, when
   the chart scrolls into view (a phone that never scrolls to the map never draws it). No inline
   script, no request to any other host: maps read their topojson from this site. */
(function () {
  "use strict";

  // A phone: charts are set for a narrow screen and a touch.
  var NARROW = window.matchMedia("(max-width: 600px)");
  // Below this width a Sankey's labels no longer fit between its four columns (a tablet held
  // upright included): its text list stands in for it.
  var LIST = window.matchMedia("(max-width: 820px)");

  function figureOf(el) {
    var data = document.getElementById(el.dataset.figure);
    return data ? JSON.parse(data.textContent) : null;
  }

  function configFor(el) {
    return {
      responsive: true,
      displaylogo: false,
      locale: document.documentElement.lang || "en",
      topojsonURL: el.dataset.topojson,
      modeBarButtonsToRemove: ["select2d", "lasso2d", "toImage"],
      // A phone neither zooms nor pans a chart (below), and the bar would sit on its legend
      // and buttons: images are saved with the buttons above each chart.
      displayModeBar: NARROW.matches ? false : "hover",
      // A phone scrolls the page with a swipe; the chart does not take it.
      scrollZoom: false
    };
  }

  function listInstead(el) {
    var figure = el.closest("figure");
    if (!figure.classList.contains("chart-list-on-narrow") || !LIST.matches) { return false; }
    var text = figure.querySelector("details.chart-text");
    if (text) { text.open = true; }
    figure.classList.add("chart-as-list");
    el.dataset.drawn = "list";
    return true;
  }

  // On a phone, an axis's title is set smaller and given room below level tick labels, so
  // neither is cut at the edge nor drawn over the other.
  function narrowAxes(layout) {
    ["xaxis", "yaxis"].forEach(function (name) {
      var axis = layout[name];
      if (!axis) { return; }
      axis.automargin = true;
      if (name === "xaxis" && axis.type !== "category") {
        axis.tickangle = 0;
        axis.nticks = 5;
      }
      if (axis.title) {
        var text = typeof axis.title === "string" ? axis.title : axis.title.text;
        axis.title = { text: text, font: { size: 11 }, standoff: 8 };
      }
    });
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
    if (listInstead(el)) { return Promise.resolve(); }
    if (NARROW.matches) {
      // Phones: a touch scrolls the page, never pans or zooms the chart by accident.
      figure.layout.dragmode = false;
      narrowAxes(figure.layout);
    }
    if (NARROW.matches && figure.layout.geo) {
      figure.layout.height = Math.min(figure.layout.height || 420, 420);
    }
    performance.mark("chart-start:" + el.id);
    return window.Plotly.newPlot(el, figure.data, figure.layout, configFor(el)).then(function () {
      return roomForLegend(el);
    }).then(function () {
      el.dataset.drawn = "true";
      // For the benchmark (bench/charts_bundle.py): when each chart began and was drawn.
      performance.mark("chart-drawn:" + el.id);
      if (figure.layout.geo) {
        declutter(el);
        el.on("plotly_afterplot", function () { declutter(el); });
      }
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

  // On a phone a legend's entries stand one or two to a line, and Plotly takes the room from
  // the plot (the yearly timeline's bars were left 50 px): the chart grows by its legend's
  // height instead, so the plot keeps the height its figure gave it. Not a map: its width
  // sets its size on a phone, and more height would only add white above and below it.
  function roomForLegend(el) {
    var legend = el.querySelector(".legend");
    if (!NARROW.matches || !legend || !el.layout.height || el.layout.geo) {
      return Promise.resolve();
    }
    var height = Math.ceil(legend.getBoundingClientRect().height);
    return window.Plotly.relayout(el, { height: el.layout.height + height });
  }

  // A map's labels that would overlap a busier one's are hidden (busiest first, as the figure
  // orders them); each is still in its marker's hover and in the list under the map.
  function declutter(el) {
    var labels = Array.prototype.slice.call(el.querySelectorAll(".geo .scattergeo text"));
    var frameLayer = el.querySelector(".geo .layer.bg") || el;
    var frame = frameLayer.getBoundingClientRect();
    var kept = [];
    labels.forEach(function (label) {
      label.style.display = "";
      if (label.dataset.anchor) { label.setAttribute("text-anchor", label.dataset.anchor); }
    });
    labels.forEach(function (label) {
      if (!label.textContent) { return; }
      var box = label.getBoundingClientRect();
      // A label centred on a marker near the map's edge would be cut by it (a phone's narrow
      // map): it is set to end at its marker (or start there, at the left edge) instead.
      if (box.right > frame.right || box.left < frame.left) {
        label.dataset.anchor = label.dataset.anchor || label.getAttribute("text-anchor") || "";
        label.setAttribute("text-anchor", box.right > frame.right ? "end" : "start");
        box = label.getBoundingClientRect();
        if (box.right > frame.right + 1 || box.left < frame.left - 1) {
          label.style.display = "none";
          return;
        }
      }
      var clash = kept.some(function (other) {
        return box.left < other.right && other.left < box.right &&
          box.top < other.bottom && other.top < box.bottom;
      });
      if (clash) { label.style.display = "none"; } else { kept.push(box); }
    });
  }

  function escapeText(text) {
    return String(text || "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // A saved image says what it is, under which filter, from where, when, and under which
  // licence: the title block is added to a copy of the figure, never to the page's chart.
  function saveImage(id, format) {
    var el = document.getElementById(id);
    if (!el || !window.Plotly || el.dataset.drawn !== "true") { return; }
    var meta = el.closest("figure").dataset;
    var layout = JSON.parse(JSON.stringify(el.layout));
    var margin = layout.margin || {};
    layout.title = {
      text: "<b>" + escapeText(el.dataset.title) + "</b><br><span style='font-size:12px'>" +
        escapeText(meta.filter) + "<br>" + escapeText(meta.credit) + "</span>",
      x: 0.01, xanchor: "left", y: 0.99, yanchor: "top", yref: "container",
      font: { size: 16 }
    };
    layout.margin = { l: margin.l, r: margin.r, b: margin.b, t: (margin.t || 10) + 80 };
    var width = Math.max(el.offsetWidth, 900);
    var height = (el.layout.height || el.offsetHeight) + 80;
    layout.width = width;
    layout.height = height;
    var figure = { data: el.data, layout: layout, config: configFor(el) };
    window.Plotly.toImage(figure, { format: format, width: width, height: height, scale: format === "png" ? 2 : 1 })
      .then(function (url) {
        var link = document.createElement("a");
        link.href = url;
        link.download = (el.dataset.filename || id) + "." + format;
        document.body.appendChild(link);
        link.click();
        link.remove();
      });
  }

  function start() {
    performance.mark("charts-start");
    var charts = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
    var waiting = charts.length;
    function drawn() {
      waiting -= 1;
      if (waiting === 0) { document.body.dataset.chartsReady = "true"; }
    }
    function run(el) {
      draw(el).then(drawn, function (error) {
        document.body.dataset.chartsReady = "error";
        throw error;
      });
    }
    if (waiting === 0) { document.body.dataset.chartsReady = "true"; }
    if ("IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            run(entry.target);
          }
        });
      }, { rootMargin: "300px 0px" });
      charts.forEach(function (el) { observer.observe(el); });
    } else {
      charts.forEach(run);
    }
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-save-image]");
      if (button) { saveImage(button.dataset.saveImage, button.dataset.format || "png"); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
