// Command kedja is the Kedja customer portal: one binary with the portal,
// the staff admin view, the JSON API, the mail worker and the migrations.
package main

import (
	"os"

	"github.com/kedja/kedja/app/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}
