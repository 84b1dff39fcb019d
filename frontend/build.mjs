// Builds ../static/vendor/plotly/plotly-custom.min.js from the pinned npm plotly.js, with the
// settings plotly.js's own esbuild-config.js uses for its dist bundles (iife, global Plotly).
import { build } from 'esbuild';
import { copyFileSync, readFileSync } from 'node:fs';

const version = JSON.parse(readFileSync('node_modules/plotly.js/package.json', 'utf8')).version;
const out = '../static/vendor/plotly/plotly-custom.min.js';

await build({
    entryPoints: ['plotly-entry.js'],
    outfile: out,
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    legalComments: 'none',
    banner: { js: `/* plotly.js v${version} (bar, scatter, sankey, scattergeo, choropleth), MIT licence; built by scripts/build_plotly */` },
    // Only the map trace types (not registered here) import a stylesheet.
    loader: { '.css': 'empty' },
    define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
    target: 'es2016',
    logLevel: 'warning'
});
copyFileSync('node_modules/plotly.js/dist/plotly-locale-ko.js', '../static/vendor/plotly/plotly-locale-ko.js');
console.log(`built ${out} from plotly.js ${version}`);
