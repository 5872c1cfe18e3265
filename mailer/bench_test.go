package mailer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
	"github.com/kedja/kedja/mailer/mailtest"
)

// BenchmarkSend measures how many messages a second one worker renders,
// claims, sends to an SMTP server on the loopback and marks sent: b.N
// messages are queued first (not timed), then drained.
//
//	go test ./mailer/ -run '^$' -bench Send -benchtime 2000x
func BenchmarkSend(b *testing.B) {
	for _, d := range testenv.Dialects(b) {
		b.Run(d, func(b *testing.B) {
			s := testenv.NewStore(b, d)
			srv := mailtest.Start(b)
			e := benchEnv(b, s, srv)
			ctx := context.Background()
			now := time.Now().Add(-time.Minute)
			err := s.WithTx(ctx, func(tx *store.Store) error {
				for i := 0; i < b.N; i++ {
					m := samples(now, []string{"en", "sv", "da", "nl"}[i%4])[notify.DeliveryConfirmation]
					m.IdempotencyKey = fmt.Sprint("bench:", i)
					m.NextAttemptAt = now
					if _, err := tx.Enqueue(ctx, m); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			t0 := time.Now()
			if err := e.Drain(ctx); err != nil {
				b.Fatal(err)
			}
			elapsed := time.Since(t0)
			b.StopTimer()
			if srv.Count() != b.N {
				b.Fatalf("server got %d, want %d", srv.Count(), b.N)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
		})
	}
}

func benchEnv(b *testing.B, s *store.Store, srv *mailtest.Server) *Worker {
	b.Helper()
	if _, err := s.EnsureSettings(context.Background(), "Blomsterhuset"); err != nil {
		b.Fatal(err)
	}
	w, err := New(testConfig(b, srv.URL().String()), s, discardLogger(), WithNow(model.Now))
	if err != nil {
		b.Fatal(err)
	}
	return w
}
