package orders

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"
	"unicode/utf8"
)

var csvSeeds = []string{
	"order_ref,customer_email,status\nA-1,a@example.com,received\n",
	"\xEF\xBB\xBForder_ref;customer_email;status;total;currency;items\r\nA-1;a@example.com;shipped;499,00;DKK;\"2x Roser; 1x Kort\"\r\n;;;;;\r\n",
	"status,order_ref,customer_email,placed_at,customer_name\nreceived,A-1,a@example.com,2026-11-20 10:15,\"Jensen, \"\"Ann\"\"\nmore\"\nreceived,A-1,a@example.com,,\n",
	"order_ref,customer_email,status,\nA-1,a@example.com,received,x\nA-2,\"a@example.com,received\n",
	"order_ref,customer_email,status\nA-1,a@example.com,received,extra\nA-2,a@example.com\nA \"3,a@example.com,received\n",
	"order_ref,nope\n",
	"\xFF\xFE",
	"sep=;\norder_ref;customer_email;status\nA-1;a@example.com;received\n",
	"",
}

// FuzzParseCSV feeds any bytes to the decoder: it never panics or loops,
// every row is either a normalized order or a bad row with a line, the
// lines only go forward, and the messages are printable UTF-8.
func FuzzParseCSV(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := newCSVDecoder(bytes.NewReader(data), time.UTC)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || !utf8.ValidString(fe.Error()) {
				t.Fatalf("header error %T %q", err, err)
			}
			return
		}
		last := 1
		for rows := 0; ; rows++ {
			if rows > len(data) {
				t.Fatalf("%d rows from %d bytes: the decoder does not advance", rows, len(data))
			}
			row, err := d.next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var fe *FileError
				if !errors.As(err, &fe) {
					t.Fatalf("read error %T %v", err, err)
				}
				return
			}
			if row.line <= last {
				t.Fatalf("row at line %d after line %d", row.line, last)
			}
			last = row.line
			if row.err != nil {
				if row.err.Line != row.line || row.err.Message == "" || !utf8.ValidString(row.err.Error()) {
					t.Fatalf("bad row %+v", row.err)
				}
				continue
			}
			in := row.in
			hash := in.Hash()
			if err := in.Normalize(); err != nil || in.Hash() != hash {
				t.Fatalf("a good row is not in normal form: %+v (%v)", row.in, err)
			}
			if in.Ref == "" || in.CustomerEmail == "" || in.Status == "" {
				t.Fatalf("a good row lacks a required value: %+v", in)
			}
		}
	})
}
