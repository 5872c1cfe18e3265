package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kedja/kedja/app/domain/apikeys"
	"github.com/kedja/kedja/app/domain/refusal"
)

// runAPIKey is `kedja apikey create --name N`: it makes a key and prints it
// alone on the last line, the one time it is shown.
func runAPIKey(ctx context.Context, env *Env, args []string) error {
	const usage = "apikey create --name N"
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(env.Stdout, "Usage: kedja "+usage)
			fmt.Fprintln(env.Stdout, "\nCreates an API key for the JSON API and prints it once; only its hash is stored.")
			return nil
		}
		return usagef("usage: kedja %s", usage)
	}
	fs, load := flagSet(env, "apikey create", usage+" [configuration flags]")
	name := fs.String("name", "", "what uses the key, such as web-shop (required); timelines show \"API key <name>\"")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (quote a name with spaces: --name \"web shop\")", fs.Arg(0))
	}
	if *name == "" {
		return usagef("--name is required: say what uses the key, such as --name web-shop")
	}
	if _, err := apikeys.CheckName(*name); err != nil {
		return usagef("--name: %v", err)
	}
	_, s, err := open(ctx, load)
	if err != nil {
		return err
	}
	defer s.Close()
	key, k, err := apikeys.Create(ctx, s, *name, time.Now())
	var ne refusal.Refusal
	if errors.As(err, &ne) {
		return fmt.Errorf("--name: %s", ne.Text)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Created API key %q (id %d). It is shown only this once: store it now.\n", k.Name, k.ID)
	fmt.Fprintln(env.Stdout, "Send it as: Authorization: Bearer <key>")
	fmt.Fprintln(env.Stdout, key)
	return nil
}
