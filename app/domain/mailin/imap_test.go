package mailin_test

import (
	"context"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
	"github.com/kedja/kedja/mailer/imapin"
	"github.com/kedja/kedja/mailer/imapin/imaptest"
)

// TestIMAPNoDuplicateAfterCrash reads a real Dovecot mailbox: replies go
// into their cases, an auto-reply makes nothing, new mail opens an
// inquiry, and every handled message leaves the INBOX for the Kedja
// folder. One message was handled before the poll — its case change
// committed, then the process died before moving it: it is read again,
// moved, and not added twice.
func TestIMAPNoDuplicateAfterCrash(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		d := imaptest.Start(t)
		w := newWorld(t, s)
		ctx := context.Background()
		da, nl, ann := w.people["da"], w.people["nl"], w.people["en"]
		crashed := fixture(t, "replies/gmail_da.eml", w.replyAddress(da), w.threadID(da), "")
		raws := [][]byte{
			crashed,
			fixture(t, "replies/outlook_nl.eml", "help@blomsterhuset.example", "x@elsewhere.example", w.outboxID(t, nl)),
			fixture(t, "auto/outlook_ooo_da.eml", w.replyAddress(da), w.threadID(da), ""),
			[]byte("From: Ann Jensen <ann.jensen@example.com>\r\nTo: help@blomsterhuset.example\r\nSubject: Opening hours\r\n" +
				"Message-ID: <hours-1@example.com>\r\nDate: Tue, 24 Nov 2026 16:00:00 +0100\r\n\r\nAre you open on Sunday?\r\n"),
		}
		d.Append(t, "INBOX", raws...)
		// The crash: handled and committed, never moved.
		if res := w.handle(t, crashed); res.Outcome != model.InboundReplied {
			t.Fatalf("first handling: %+v", res)
		}
		daBefore, nlBefore, inquiries := len(w.messages(t, da.q.ID)), len(w.messages(t, nl.q.ID)), w.countInquiries(t)

		p, err := imapin.New(d.URL(), w.svc, w.svc.Log)
		if err != nil {
			t.Fatal(err)
		}
		n, err := p.PollOnce(ctx)
		if err != nil || n != len(raws) {
			t.Fatalf("poll moved %d, %v; want %d", n, err, len(raws))
		}
		if in, out := d.Count(t, "INBOX"), d.Count(t, imapin.DefaultFolder); in != 0 || out != len(raws) {
			t.Fatalf("INBOX %d, %s %d; want 0 and %d", in, imapin.DefaultFolder, out, len(raws))
		}
		if got := len(w.messages(t, da.q.ID)); got != daBefore {
			t.Errorf("the message read again after the crash was added again: %d messages, want %d", got, daBefore)
		}
		msgs := w.messages(t, nl.q.ID)
		if len(msgs) != nlBefore+1 || msgs[len(msgs)-1].Body != want(t, "outlook_nl") {
			t.Errorf("outlook reply by outbox Message-ID: %d messages, last %q", len(msgs), msgs[len(msgs)-1].Body)
		}
		if got := w.countInquiries(t); got != inquiries+1 {
			t.Errorf("%d new inquiries, want 1 (the new mail)", got-inquiries)
		}
		res, err := s.InboundByMessageID(ctx, "hours-1@example.com")
		if err != nil || res.Outcome != model.InboundOpened || res.CustomerID != ann.c.ID {
			t.Errorf("new mail: %+v, %v", res, err)
		}
		if n, err := p.PollOnce(ctx); err != nil || n != 0 {
			t.Errorf("second poll moved %d, %v", n, err)
		}
	})
}

// TestIMAPIdle: with the poll interval an hour, new mail is still handled
// at once, because the poller waits in IDLE and Dovecot tells it.
func TestIMAPIdle(t *testing.T) {
	d := imaptest.Start(t)
	w := newWorld(t, testenv.NewStore(t, "sqlite"))
	ann := w.people["en"]
	p, err := imapin.New(d.URL(), w.svc, w.svc.Log, imapin.WithPoll(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("the poller did not stop")
		}
	}()
	waitInbound := func(n int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			c, err := w.s.CountInbound(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for _, v := range c {
				total += v
			}
			if total >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d messages handled after 30 s, want %d", total, n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	d.Append(t, "INBOX", fixture(t, "replies/thunderbird_en.eml", "help@blomsterhuset.example", w.threadID(ann), ""))
	waitInbound(1)
	d.Append(t, "INBOX", fixture(t, "replies/apple_en.eml", "help@blomsterhuset.example", w.threadID(ann), ""))
	waitInbound(2)
	if n := len(w.messages(t, ann.q.ID)); n != 3 {
		t.Errorf("inquiry has %d messages, want 3", n)
	}
}
