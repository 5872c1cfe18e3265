package mailin_test

import (
	"bytes"
	"context"
	"errors"
	"net/smtp"
	"strings"
	"testing"

	"github.com/kedja/kedja/app/mailref"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

var clients = []string{"gmail", "outlook", "apple", "thunderbird"}

// TestRepliesThreadIntoTheirCase sends the 16 client fixtures through the
// SMTP receiver with a real SMTP client. Gmail's are matched by the reply
// address, Outlook's by the outbox Message-ID in References only, Apple
// Mail's and Thunderbird's by the case's thread id (sent to the plain
// support address). Each lands in its own customer's inquiry as their
// message, quoted text stripped; a resolved inquiry reopens.
func TestRepliesThreadIntoTheirCase(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		ctx := context.Background()
		sv := w.people["sv"]
		sv.q.Status, sv.q.IsOpen = model.InquiryResolved, false
		if err := s.UpdateInquiry(ctx, sv.q); err != nil {
			t.Fatal(err)
		}
		before := w.countInquiries(t)
		for _, client := range clients {
			for _, lang := range []string{"en", "sv", "da", "nl"} {
				p := w.people[lang]
				name := client + "_" + lang
				to, thread, ref := support, "kedja-unrelated-1@elsewhere.example", "unrelated-2@elsewhere.example"
				switch client {
				case "gmail":
					to = w.replyAddress(p)
				case "outlook":
					ref = w.outboxID(t, p)
				default:
					thread = w.threadID(p)
				}
				raw := fixture(t, "replies/"+name+".eml", to, thread, ref)
				if err := w.sendSMTP(t, p.email, []string{to}, raw); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				msgs := w.messages(t, p.q.ID)
				last := msgs[len(msgs)-1]
				if last.AuthorKind != model.AuthorCustomer || last.Body != want(t, name) {
					t.Errorf("%s: last message of inquiry %d is %s %q, want the customer's %q", name, p.q.ID, last.AuthorKind, last.Body, want(t, name))
				}
			}
		}
		for _, p := range w.people {
			if n := len(w.messages(t, p.q.ID)); n != 1+len(clients) {
				t.Errorf("%s: inquiry has %d messages, want %d", p.lang, n, 1+len(clients))
			}
			if q := w.inquiry(t, p.q.ID); q.Status != model.InquiryOpen || !q.IsOpen || q.ReplyDueAt == nil {
				t.Errorf("%s: inquiry %s open=%v due=%v after the customer's reply", p.lang, q.Status, q.IsOpen, q.ReplyDueAt)
			}
		}
		if n := w.countInquiries(t); n != before {
			t.Errorf("replies opened %d new inquiries", n-before)
		}
		counts, err := s.CountInbound(ctx)
		if err != nil || counts[model.InboundReplied] != 16 {
			t.Errorf("inbound outcomes %v, %v", counts, err)
		}
	})
}

// TestForgedAndForeignSendersAreHeld: a stranger answering Ann's reply
// address, Ann's address with a made-up token, one customer writing to
// another's case and a staff member's new mail are held, not added; staff
// accept one (it goes into the case), reject another, and cannot decide
// twice.
func TestForgedAndForeignSendersAreHeld(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		ctx := context.Background()
		ann, asa := w.people["en"], w.people["sv"]
		real := w.replyAddress(ann)
		forgedTo := strings.Replace(real, "+i", "+i", 1)
		forgedTo = forgedTo[:strings.LastIndex(forgedTo, "-")+1] + "aaaaaaaaaaaaaaaa@blomsterhuset.example"
		mail := func(from, to, id, body string) []byte {
			return []byte("From: " + from + "\r\nTo: " + to + "\r\nSubject: Re: Fakturakopi\r\nMessage-ID: <" + id +
				">\r\nDate: Tue, 24 Nov 2026 15:31:07 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
		}
		cases := []struct {
			name, reason string
			raw          []byte
		}{
			{"stranger", model.HeldForeignSender, mail("Bob <bob@evil.example>", real, "f1@evil.example", "Please send the invoice to me instead.")},
			{"forged token", model.HeldBadToken, mail("Ann Jensen <ann.jensen@example.com>", forgedTo, "f2@example.com", "Hello?")},
			{"other customer", model.HeldForeignSender, mail("Åsa <asa.lindstrom@example.se>", real, "f3@example.se", "Fel ärende.")},
			{"staff", model.HeldFromStaff, mail("Anna Holm <anna@blomsterhuset.example>", support, "f4@blomsterhuset.example", "Test from the shop.")},
		}
		before, beforeAnn, beforeAsa := w.countInquiries(t), len(w.messages(t, ann.q.ID)), len(w.messages(t, asa.q.ID))
		var held []int64
		for _, c := range cases {
			res := w.handle(t, c.raw)
			if res.Outcome != model.InboundHeld || res.HeldID == 0 {
				t.Fatalf("%s: outcome %s (%s), want held", c.name, res.Outcome, res.Detail)
			}
			hm, err := s.HeldMailByID(ctx, res.HeldID)
			if err != nil || hm.Reason != c.reason || hm.State != model.HeldWaiting || hm.Body == "" {
				t.Fatalf("%s: held %+v, %v; want reason %s", c.name, hm, err, c.reason)
			}
			held = append(held, res.HeldID)
		}
		if w.countInquiries(t) != before || len(w.messages(t, ann.q.ID)) != beforeAnn || len(w.messages(t, asa.q.ID)) != beforeAsa {
			t.Fatalf("held mail reached a case")
		}
		waiting, err := s.HeldMail(ctx, model.HeldWaiting, 10)
		if err != nil || len(waiting) != len(cases) {
			t.Fatalf("held list: %d, %v", len(waiting), err)
		}

		q, err := w.svc.Accept(ctx, held[0], w.anna)
		if err != nil || q.ID != ann.q.ID {
			t.Fatalf("accept: %v, %v", q, err)
		}
		msgs := w.messages(t, ann.q.ID)
		if last := msgs[len(msgs)-1]; last.Body != "Please send the invoice to me instead." || last.AuthorKind != model.AuthorCustomer {
			t.Errorf("accepted message: %+v", last)
		}
		if err := w.svc.Reject(ctx, held[1], w.anna); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Accept(ctx, held[1], w.anna); !errors.Is(err, store.ErrConflict) {
			t.Errorf("accepting a rejected message: %v, want ErrConflict", err)
		}
		if err := w.svc.Reject(ctx, held[0], w.anna); !errors.Is(err, store.ErrConflict) {
			t.Errorf("rejecting an accepted message: %v, want ErrConflict", err)
		}
		// The staff member's new mail, accepted, opens an inquiry for the sender as a customer.
		if q, err := w.svc.Accept(ctx, held[3], w.anna); err != nil || q.Subject != "Fakturakopi" {
			t.Fatalf("accept new mail: %v, %v", q, err)
		}
		if hm, _ := s.HeldMailByID(ctx, held[0]); hm.State != model.HeldAccepted || hm.DecidedByID == nil || hm.InquiryID != ann.q.ID {
			t.Errorf("decision not recorded: %+v", hm)
		}
	})
}

// TestAutoRepliesBouncesAndOwnMailMakeNothing: out-of-office replies,
// vacation responders and list mail to a reply address or the support
// address open nothing, add nothing and queue no mail (no loops); mail
// from Kedja's own address likewise; a bounce marks the customer's
// address as failing, and mail from that address clears it.
func TestAutoRepliesBouncesAndOwnMailMakeNothing(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		ctx := context.Background()
		ann := w.people["en"]
		before, outbox, annMsgs := w.countInquiries(t), w.countOutbox(t), len(w.messages(t, ann.q.ID))
		for _, f := range []string{"auto/outlook_ooo_da.eml", "auto/gmail_vacation_sv.eml", "auto/subject_only_nl.eml",
			"auto/subject_only_en.eml", "auto/list_en.eml"} {
			raw := fixture(t, f, w.replyAddress(ann), w.threadID(ann), w.outboxID(t, ann))
			if err := w.sendSMTP(t, "someone@example.com", []string{support}, raw); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		}
		own := []byte("From: Blomsterhuset <no-reply@blomsterhuset.example>\r\nTo: " + support +
			"\r\nSubject: Delivered\r\nMessage-ID: <own-1@blomsterhuset.example>\r\n\r\nYour order was delivered.\r\n")
		if res := w.handle(t, own); res.Outcome != model.InboundOwn {
			t.Errorf("own mail: %s", res.Outcome)
		}
		loop := []byte("From: " + w.replyAddress(ann) + "\r\nTo: " + support +
			"\r\nSubject: loop\r\nMessage-ID: <own-2@blomsterhuset.example>\r\n\r\nA reply address writing to itself.\r\n")
		if res := w.handle(t, loop); res.Outcome != model.InboundOwn {
			t.Errorf("mail from a reply address: %s", res.Outcome)
		}
		bounce := fixture(t, "bounces/dsn_postfix.eml", w.replyAddress(ann), w.threadID(ann), w.outboxID(t, ann))
		if err := smtp.SendMail(w.rxAddr, nil, "", []string{support}, bounce); err != nil {
			t.Fatal(err)
		}
		delayed := fixture(t, "bounces/delayed_dsn.eml", "", "", "")
		if res := w.handle(t, delayed); res.Outcome != model.InboundBounce {
			t.Errorf("delayed DSN: %s", res.Outcome)
		}
		if w.countInquiries(t) != before || w.countOutbox(t) != outbox || len(w.messages(t, ann.q.ID)) != annMsgs {
			t.Fatalf("automatic mail made a case, a message or a mail: inquiries %d→%d, outbox %d→%d",
				before, w.countInquiries(t), outbox, w.countOutbox(t))
		}
		counts, _ := s.CountInbound(ctx)
		if counts[model.InboundAutoReply] != 5 || counts[model.InboundBounce] != 2 || counts[model.InboundOwn] != 2 {
			t.Errorf("outcomes %v", counts)
		}
		p, err := s.AddressProblem(ctx, ann.c.ID)
		if err != nil || p == nil || !strings.Contains(p.Reason, "User unknown") || p.Bounces != 1 {
			t.Fatalf("address problem %+v, %v", p, err)
		}
		if p, _ := s.AddressProblem(ctx, w.people["nl"].c.ID); p != nil {
			t.Errorf("a delayed delivery marked an address failing: %+v", p)
		}
		// Ann writes again: her address works.
		raw := fixture(t, "replies/gmail_en.eml", w.replyAddress(ann), w.threadID(ann), "")
		if res := w.handle(t, raw); res.Outcome != model.InboundReplied {
			t.Fatalf("reply: %s %s", res.Outcome, res.Detail)
		}
		if p, _ := s.AddressProblem(ctx, ann.c.ID); p != nil {
			t.Errorf("problem kept after mail from the address: %+v", p)
		}
	})
}

// TestNewMailOpensInquiries: mail to the support address from a known
// customer opens an inquiry with an owner; from an unknown address it
// creates the customer named from the From header; a reply to an order
// mail opens an inquiry about the order, and the next reply joins it.
func TestNewMailOpensInquiries(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		ctx := context.Background()
		ann := w.people["en"]
		newMail := func(from, to, id, subject, body string) []byte {
			return []byte("From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + id +
				">\r\nDate: Tue, 24 Nov 2026 15:31:07 +0100\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n")
		}
		res := w.handle(t, newMail("Ann Jensen <ann.jensen@example.com>", support, "n1@example.com", "Gift wrapping?",
			"Do you gift wrap?\n\n-- \nAnn"))
		if res.Outcome != model.InboundOpened || res.CustomerID != ann.c.ID {
			t.Fatalf("known customer: %+v", res)
		}
		q := w.inquiry(t, res.InquiryID)
		if q.Subject != "Gift wrapping?" || q.OwnerID == 0 || q.CustomerID != ann.c.ID {
			t.Errorf("inquiry %+v", q)
		}
		if m := w.messages(t, q.ID); len(m) != 1 || m[0].Body != "Do you gift wrap?" {
			t.Errorf("messages %+v", m)
		}

		res = w.handle(t, newMail("=?utf-8?q?Bj=C3=B6rn_=C3=85kesson?= <Bjorn.Akesson@Example.SE>", support, "n2@example.se",
			"=?utf-8?q?Best=C3=A4llning?=", "Hej, har ni vita liljor?"))
		if res.Outcome != model.InboundOpened {
			t.Fatalf("unknown sender: %+v", res)
		}
		c, err := s.CustomerByEmail(ctx, "bjorn.akesson@example.se")
		if err != nil || c.Name != "Björn Åkesson" || res.CustomerID != c.ID {
			t.Fatalf("created customer %+v, %v", c, err)
		}
		if q := w.inquiry(t, res.InquiryID); q.Subject != "Beställning" || q.CustomerID != c.ID {
			t.Errorf("inquiry %+v", q)
		}

		orderTo := w.sig.ReplyAddress(support, mailref.Ref{Kind: mailref.KindOrder, ID: w.order.ID, CustomerID: ann.c.ID})
		res = w.handle(t, newMail("Ann Jensen <ann.jensen@example.com>", orderTo, "o1@example.com",
			"Re: Delivered: your order BQ-1001", "It never arrived.\n\nOn Tue, 24 Nov 2026 at 14:02, Blomsterhuset wrote:\n> Delivered"))
		if res.Outcome != model.InboundOpened {
			t.Fatalf("reply to an order mail: %+v", res)
		}
		oq := w.inquiry(t, res.InquiryID)
		if oq.OrderID == nil || *oq.OrderID != w.order.ID || oq.Subject != "Delivered: your order BQ-1001" {
			t.Errorf("inquiry about the order: %+v", oq)
		}
		res = w.handle(t, newMail("Ann Jensen <ann.jensen@example.com>", orderTo, "o2@example.com",
			"Re: Delivered: your order BQ-1001", "Any news?"))
		if res.Outcome != model.InboundReplied || res.InquiryID != oq.ID {
			t.Errorf("second reply about the order: %+v, want a reply to inquiry %d", res, oq.ID)
		}
	})
}

// TestSMTPReceiverLimits: only the support address and reply addresses are
// taken (others: 550), a message over the size limit is refused, and the
// same message delivered twice is handled once.
func TestSMTPReceiverLimits(t *testing.T) {
	w := newWorld(t, testenv.NewStore(t, "sqlite"))
	ann := w.people["en"]
	raw := fixture(t, "replies/thunderbird_en.eml", support, w.threadID(ann), "")
	err := w.sendSMTP(t, ann.email, []string{"someone@elsewhere.example"}, raw)
	if err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("foreign recipient: %v, want 550", err)
	}
	if err := w.sendSMTP(t, ann.email, []string{"sales@blomsterhuset.example"}, raw); err == nil {
		t.Errorf("another address of the domain was taken")
	}
	before := len(w.messages(t, ann.q.ID))
	big := append(bytes.Clone(raw), bytes.Repeat([]byte("x"), 2<<20)...)
	// go-smtp answers 552 and closes; the client may see either.
	if err := w.sendSMTP(t, ann.email, []string{support}, big); err == nil {
		t.Errorf("a message over the limit was taken")
	}
	if n := len(w.messages(t, ann.q.ID)); n != before {
		t.Fatalf("a message over the limit reached the case")
	}
	for i := 0; i < 2; i++ {
		if err := w.sendSMTP(t, ann.email, []string{strings.ToUpper(support)}, raw); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(w.messages(t, ann.q.ID)); n != before+1 {
		t.Errorf("the same message twice added %d messages, want 1", n-before)
	}
}
