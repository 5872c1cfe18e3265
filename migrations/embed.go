// Package migrations embeds the SQL migrations, one folder per dialect with
// the same file names in each. Migrations are append-only.
package migrations

import "embed"

// FS holds sqlite/ and postgres/.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
