package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/kedja/kedja/app/domain/orders"
)

const importUsage = "import orders [configuration flags] FILE.csv"

const importHelp = `Import orders from a CSV file (FILE.csv, or - for standard input).

The file is UTF-8 (a byte-order mark is fine), comma- or semicolon-separated
(as Excel saves CSV in Danish, Swedish and Dutch; there a total may be written
499,00), with a header row naming the columns in any order:

  order_ref, customer_email, customer_name, customer_locale, status,
  placed_at, expected_delivery, items, total, currency, owner_email,
  carrier, tracking_number, tracking_url, recipient_name, delivered_at

order_ref, customer_email and status are required; unknown columns stop the
import. One row per order; items are "2x Name; 1x Other name". placed_at is
RFC 3339 (2026-11-20T10:15:00Z), or "2026-11-20 10:15" or "2026-11-20" in
KEDJA_TIMEZONE; delivered_at (delivered rows only; empty: now) likewise. A
delivery confirmation is mailed only for a delivered_at in the last 48 hours,
so loading history mails no one. Each row creates or replaces its order exactly as
PUT /api/v1/orders/{ref} does; importing the same file again changes nothing.

Each bad row is printed on stderr as "line N: column: what to fix" and the
other rows still import. The summary goes to stdout:
"created X, updated Y, unchanged Z, failed W".

Exit status: 0 when every row imported, 1 when some rows failed or the file
could not be read (the rows before a failure are imported), 2 on bad usage.
`

// runImport is `kedja import orders FILE.csv`.
func runImport(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "orders" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintf(env.Stdout, "Usage: kedja %s\n\n%s", importUsage, importHelp)
			return nil
		}
		return usagef("usage: kedja %s (see kedja import --help)", importUsage)
	}
	fs, load := flagSet(env, "import orders", importUsage)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: kedja %s\n\n%s\nFlags:\n", importUsage, importHelp)
		fs.PrintDefaults()
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give one file: kedja import orders FILE.csv (or - for standard input)")
	}
	in, closeIn, err := openInput(fs.Arg(0))
	if err != nil {
		return err
	}
	defer closeIn()
	cfg, s, err := open(ctx, load)
	if err != nil {
		return err
	}
	defer s.Close()
	bad := bufio.NewWriter(env.Stderr)
	sum, err := orders.ImportCSV(ctx, s, nil, in, orders.CSVOptions{
		Location: cfg.Location,
		OnError:  func(e orders.RowError) { fmt.Fprintln(bad, e.Error()) },
	})
	if ferr := bad.Flush(); ferr != nil && err == nil {
		err = ferr
	}
	var fileErr *orders.FileError
	if err == nil || sum.Rows > 0 || !errors.As(err, &fileErr) {
		fmt.Fprintln(env.Stdout, sum.String())
	}
	switch {
	case err != nil:
		return err
	case sum.Failed > 0:
		return fmt.Errorf("%d of %d rows failed (listed above); fix them and import the file again: rows already imported stay unchanged", sum.Failed, sum.Rows)
	}
	return nil
}

// openInput opens the CSV file, or standard input for "-".
func openInput(name string) (io.Reader, func(), error) {
	if name == "-" {
		return os.Stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the CSV file: %w", err)
	}
	return f, func() { f.Close() }, nil
}
