package mailin_test

import (
	"context"
	"fmt"
	"net/smtp"
	"testing"
	"time"

	"github.com/kedja/kedja/app/testenv"
	"github.com/kedja/kedja/mailer/imapin"
	"github.com/kedja/kedja/mailer/imapin/imaptest"
)

// benchMessages makes n replies (the four languages' Gmail and Outlook
// fixtures in turn, each with its own Message-ID) to the world's inquiries.
func benchMessages(b *testing.B, w *world, n int) ([][]byte, []string) {
	b.Helper()
	langs := []string{"en", "sv", "da", "nl"}
	raws := make([][]byte, n)
	froms := make([]string, n)
	for i := range raws {
		p := w.people[langs[i%4]]
		client := []string{"gmail", "outlook"}[i/4%2]
		raw := fixture(b, "replies/"+client+"_"+p.lang+".eml", w.replyAddress(p), w.threadID(p), "")
		raws[i] = append([]byte(fmt.Sprintf("Message-ID: <bench-%d-%d@example.com>\r\n", time.Now().UnixNano(), i)), raw...)
		froms[i] = p.email
	}
	return raws, froms
}

// BenchmarkInboundSMTP measures replies a second through the built-in SMTP
// receiver: one client connection, one transaction per message, each
// parsed, matched to its case and added to it before "250 OK".
//
//	go test ./app/domain/mailin/ -run '^$' -bench InboundSMTP -benchtime 500x
func BenchmarkInboundSMTP(b *testing.B) {
	for _, d := range testenv.Dialects(b) {
		b.Run(d, func(b *testing.B) {
			w := newWorld(b, testenv.NewStore(b, d))
			raws, froms := benchMessages(b, w, b.N)
			c, err := smtp.Dial(w.rxAddr)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			b.ResetTimer()
			t0 := time.Now()
			for i, raw := range raws {
				if err := c.Mail(froms[i]); err != nil {
					b.Fatal(err)
				}
				if err := c.Rcpt(support); err != nil {
					b.Fatal(err)
				}
				wc, err := c.Data()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := wc.Write(raw); err != nil {
					b.Fatal(err)
				}
				if err := wc.Close(); err != nil {
					b.Fatal(err)
				}
			}
			elapsed := time.Since(t0)
			b.StopTimer()
			counts, err := w.s.CountInbound(context.Background())
			if err != nil || counts["replied"] != b.N {
				b.Fatalf("replied %d of %d (%v)", counts["replied"], b.N, err)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
		})
	}
}

// BenchmarkInboundIMAP measures replies a second read from a Dovecot
// mailbox: b.N messages are appended first (not timed), then one poll
// fetches, handles and moves them all.
//
//	go test ./app/domain/mailin/ -run '^$' -bench InboundIMAP -benchtime 500x
func BenchmarkInboundIMAP(b *testing.B) {
	for _, d := range testenv.Dialects(b) {
		b.Run(d, func(b *testing.B) {
			dv := imaptest.Start(b)
			w := newWorld(b, testenv.NewStore(b, d))
			raws, _ := benchMessages(b, w, b.N)
			dv.Append(b, "INBOX", raws...)
			p, err := imapin.New(dv.URL(), w.svc, w.svc.Log)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			t0 := time.Now()
			n, err := p.PollOnce(context.Background())
			elapsed := time.Since(t0)
			b.StopTimer()
			if err != nil || n != b.N {
				b.Fatalf("moved %d of %d: %v", n, b.N, err)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
		})
	}
}
