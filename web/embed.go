// Package web holds Baobei's static assets, embedded in the binary and
// served under /static/: the one stylesheet (app.css), the small form
// helper script (app.js) and htmx 2.0.11 (htmx.min.js, vendored unchanged
// from the htmx.org npm package, with its licence in htmx.LICENSE).
package web

import "embed"

// Static is the static directory; its files sit under "static/", so a
// server strips that prefix with fs.Sub(Static, "static").
//
//go:embed static
var Static embed.FS
