package cli

import "context"

// runAPIKey belongs to the orders API work; until it lands it says so
// instead of pretending.
func runAPIKey(ctx context.Context, env *Env, args []string) error {
	return usagef("apikey: not available in this build yet")
}
