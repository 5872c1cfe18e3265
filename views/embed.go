// Package views embeds the HTML templates: layout.html and partials/ are
// shared; each file under pages/ is one page, parsed once at start.
package views

import "embed"

// FS holds layout.html, partials/ and pages/.
//
//go:embed layout.html partials/*.html pages
var FS embed.FS
