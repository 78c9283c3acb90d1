// Package migrations embeds Baobei's goose SQL migrations in the binary.
package migrations

import "embed"

// FS holds the *.sql migrations, applied in file-name order.
//
//go:embed *.sql
var FS embed.FS
