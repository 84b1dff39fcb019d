// plotly.js with only the trace types the dashboard draws (see dashboard/charts.py):
// timeline bars and markers, the Sankey of flows, the map's lines, points and countries.
// Adding a trace type to charts.py means adding it here and running scripts/build_plotly.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/scatter'),
    require('plotly.js/lib/sankey'),
    require('plotly.js/lib/scattergeo'),
    require('plotly.js/lib/choropleth')
]);

module.exports = Plotly;
