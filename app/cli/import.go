package cli

import "context"

// runImport belongs to the CSV import work; until it lands it says so
// instead of pretending.
func runImport(ctx context.Context, env *Env, args []string) error {
	return usagef("import: not available in this build yet")
}
