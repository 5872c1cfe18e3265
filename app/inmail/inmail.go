// Package inmail reads an incoming email the way Kedja needs it: who sent
// it and to whom, what it refers to (In-Reply-To, References), its text
// with the quoted history and the signature taken off, and whether it is
// an automatic reply or a bounce, which must never open a case or answer.
// It knows nothing of cases or the database.
package inmail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decodes ISO-8859-x, Windows-125x and the other charsets mail still uses
	"github.com/emersion/go-message/mail"
)

// Kinds of message.
const (
	KindPerson    = "person"     // written by a person: a reply or new mail
	KindAutoReply = "auto_reply" // out of office, auto-responders, list or bulk mail
	KindBounce    = "bounce"     // a delivery status notification or a mailer daemon's report
)

// MaxBytes is the largest message Parse reads; the SMTP receiver refuses
// larger ones before they arrive.
const MaxBytes = 25 << 20

// Message is one incoming email.
type Message struct {
	MessageID  string   // without angle brackets; made from a hash of the message when it has none
	FromName   string   // decoded display name
	FromAddr   string   // lower case
	To         []string // every recipient address the headers and envelope name, lower case
	Subject    string   // decoded, one line
	Date       time.Time
	InReplyTo  []string // Message-IDs without angle brackets
	References []string

	Kind string // KindPerson, KindAutoReply or KindBounce
	Why  string // what made it automatic or a bounce, for the log

	Text  string // the whole text, from text/plain or else from the HTML
	Reply string // Text without quoted history and signature

	// Bounces: the addresses whose delivery failed for good, and why.
	Failed       []string
	FailedReason string
}

// Envelope is what the SMTP transaction said, when the message came that
// way: MAIL FROM (empty for a bounce) and RCPT TO.
type Envelope struct {
	From string
	To   []string
	Null bool // MAIL FROM:<> — a bounce by definition
}

// Parse reads raw, an RFC 5322 message, with what its envelope said (the
// zero Envelope when it came by IMAP).
func Parse(raw []byte, env Envelope) (*Message, error) {
	if len(raw) > MaxBytes {
		return nil, fmt.Errorf("inmail: message of %d bytes, more than %d", len(raw), MaxBytes)
	}
	ent, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, fmt.Errorf("inmail: %w", err)
	}
	h := mail.Header{Header: ent.Header}
	m := &Message{}
	if id, err := h.MessageID(); err == nil && id != "" {
		m.MessageID = id
	} else {
		sum := sha256.Sum256(raw)
		m.MessageID = "sha256-" + hex.EncodeToString(sum[:16]) + "@inbound.kedja.invalid"
	}
	if from, err := h.AddressList("From"); err == nil && len(from) > 0 {
		m.FromName, m.FromAddr = oneLine(from[0].Name), strings.ToLower(from[0].Address)
	} else if s := strings.TrimSpace(h.Get("From")); s != "" {
		// An unparseable From: keep what looks like an address.
		if i, j := strings.LastIndex(s, "<"), strings.LastIndex(s, ">"); i >= 0 && j > i {
			s = s[i+1 : j]
		}
		m.FromAddr = strings.ToLower(strings.TrimSpace(s))
	}
	seen := map[string]bool{}
	addTo := func(a string) {
		a = strings.ToLower(strings.Trim(strings.TrimSpace(a), "<>"))
		if a != "" && !seen[a] {
			seen[a] = true
			m.To = append(m.To, a)
		}
	}
	for _, a := range env.To {
		addTo(a)
	}
	for _, k := range []string{"To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"} {
		if list, err := h.AddressList(k); err == nil {
			for _, a := range list {
				addTo(a.Address)
			}
		} else {
			for _, v := range h.Values(k) {
				addTo(v)
			}
		}
	}
	if s, err := h.Subject(); err == nil {
		m.Subject = oneLine(s)
	} else {
		m.Subject = oneLine(h.Get("Subject"))
	}
	m.Date, _ = h.Date()
	m.InReplyTo, _ = h.MsgIDList("In-Reply-To")
	m.References, _ = h.MsgIDList("References")

	var plain, html, status string
	var report bool
	_ = ent.Walk(func(path []int, part *message.Entity, err error) error {
		if err != nil && !message.IsUnknownCharset(err) {
			return nil
		}
		t, params, _ := part.Header.ContentType()
		if t == "multipart/report" && len(path) == 0 {
			report = true
			_ = params
		}
		if strings.HasPrefix(t, "multipart/") {
			return nil
		}
		disp, _, _ := part.Header.ContentDisposition()
		if disp == "attachment" && !strings.HasPrefix(t, "message/") {
			return nil
		}
		b, err := io.ReadAll(io.LimitReader(part.Body, MaxBytes))
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		s := strings.ToValidUTF8(string(b), "\uFFFD")
		switch {
		case t == "text/plain" || (t == "" && len(path) == 0):
			if plain == "" {
				plain = s
			}
		case t == "text/html":
			if html == "" {
				html = s
			}
		case t == "message/delivery-status" || t == "message/global-delivery-status":
			status = s
		}
		return nil
	})
	quotedHTML := false
	if plain != "" {
		m.Text = normalize(plain)
	} else if html != "" {
		m.Text, quotedHTML = htmlText(html)
	}
	m.Reply = StripReply(m.Text)
	if quotedHTML && m.Reply == "" {
		m.Reply = m.Text
	}
	classify(m, h, env, report, status)
	return m, nil
}

// normalize makes line ends \n and drops a BOM and trailing space.
func normalize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimPrefix(s, "\uFEFF")
	return strings.TrimSpace(s)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}
