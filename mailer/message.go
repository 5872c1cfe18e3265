package mailer

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/kedja/kedja/app/mailref"
	"github.com/kedja/kedja/app/model"
)

// outgoing is one rendered email, ready for a transport.
type outgoing struct {
	id                 int64
	fromName, fromAddr string
	toName, toAddr     string
	replyTo            string
	subject            string
	messageID          string // without angle brackets
	threadID           string // the case's thread id, without angle brackets; "" when about no case
	date               time.Time
	text, html         string
	link, code         string // for the log transport
}

// MessageID is the Message-ID (without angle brackets) of an outbox row:
// derived from its id and idempotency key, so every retry of a message
// carries the same identity, and from the host of the base URL:
// "outbox-42.1f0c2a9e5b7d@portal.example.com" (mailref.OutboxMessageID).
func MessageID(baseURL *url.URL, m *model.OutboxMessage) string {
	return mailref.OutboxMessageID(host(baseURL), m.ID, m.IdempotencyKey)
}

func (o *outgoing) fromHeader() string {
	return (&mail.Address{Name: o.fromName, Address: o.fromAddr}).String()
}

func (o *outgoing) toHeader() string {
	return (&mail.Address{Name: o.toName, Address: o.toAddr}).String()
}

// msg builds the go-mail message: multipart text and HTML with From, To,
// Reply-To, Subject, Date and Message-ID. Names are written by net/mail's
// address encoder (quoted, or RFC 2047 words for non-ASCII), so no name can
// break a header; line breaks in names were turned to spaces in compose. An
// address it cannot use is an error that retrying will not fix.
func (o *outgoing) msg() (*gomail.Msg, error) {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	from, err := address(o.fromName, o.fromAddr)
	if err != nil {
		return nil, fmt.Errorf("from address: %w", err)
	}
	to, err := address(o.toName, o.toAddr)
	if err != nil {
		return nil, fmt.Errorf("recipient address: %w", err)
	}
	m.FromMailAddress(from)
	m.AddToMailAddress(to)
	if o.replyTo != "" {
		rt, err := address("", o.replyTo)
		if err != nil {
			return nil, fmt.Errorf("reply-to address: %w", err)
		}
		m.ReplyToMailAddress(rt)
	}
	m.Subject(OneLine(o.subject))
	m.SetMessageIDWithValue(o.messageID)
	if o.threadID != "" {
		// Every mail about the case refers to the same root, so clients
		// show them as one conversation and a reply names its case.
		m.SetGenHeaderPreformatted(gomail.HeaderInReplyTo, "<"+o.threadID+">")
		m.SetGenHeaderPreformatted(gomail.HeaderReferences, "<"+o.threadID+">")
	}
	m.SetDateWithValue(o.date)
	m.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	m.SetBodyString(gomail.TypeTextPlain, o.text)
	m.AddAlternativeString(gomail.TypeTextHTML, o.html)
	return m, nil
}

// address is a name and a bare address (ann@example.com, nothing around
// it) as a mail.Address. The name may hold anything: it is encoded when
// the header is written.
func address(name, addr string) (*mail.Address, error) {
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || a.Name != "" {
		return nil, fmt.Errorf("%q is not a bare email address", addr)
	}
	return &mail.Address{Name: OneLine(name), Address: addr}, nil
}

// OneLine turns every run of white space in s, line breaks included, into
// one space, for names, subjects and the one-line fields of a mail.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
