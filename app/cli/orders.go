package cli

import "context"

// runAPIKey and runImport belong to the orders API work; until it lands they
// say so instead of pretending.
func runAPIKey(ctx context.Context, env *Env, args []string) error {
	return usagef("apikey: not available in this build yet")
}

func runImport(ctx context.Context, env *Env, args []string) error {
	return usagef("import: not available in this build yet")
}
