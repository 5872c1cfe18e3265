// Package static embeds the stylesheet and the vendored htmx (with its SSE
// extension); versions are in the file names.
package static

import "embed"

// FS holds css/ and js/.
//
//go:embed css js
var FS embed.FS
