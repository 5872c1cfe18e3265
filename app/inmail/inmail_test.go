package inmail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fill replaces the fixtures' placeholders with real values.
func Fill(raw []byte, replyAddress, threadID, messageID string) []byte {
	return []byte(strings.NewReplacer("__REPLY_ADDRESS__", replyAddress, "__THREAD_ID__", threadID,
		"__MESSAGE_ID__", messageID).Replace(string(raw)))
}

func fixture(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return Fill(b, "help+i41-7-abcdefghijklmnop@blomsterhuset.example", "kedja-i41-7-abcdefghijklmnop@portal.blomsterhuset.example",
		"outbox-9.0123456789ab@portal.blomsterhuset.example")
}

// TestRepliesFromEveryClient: replies from Gmail, Outlook, Apple Mail and
// Thunderbird in en, sv, da and nl, in their own charsets and encodings,
// come out as exactly what the person wrote — quoted history, quote
// headers, Outlook's header block, "-- " signatures and "Sent from my
// iPhone" taken off — with sender, recipients and threading headers.
func TestRepliesFromEveryClient(t *testing.T) {
	files, err := filepath.Glob("testdata/replies/*.eml")
	if err != nil || len(files) != 16 {
		t.Fatalf("want 16 reply fixtures, got %d (%v)", len(files), err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".eml")
		t.Run(name, func(t *testing.T) {
			m, err := Parse(fixture(t, "replies/"+name+".eml"), Envelope{})
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(strings.TrimSuffix(f, ".eml") + ".want")
			if err != nil {
				t.Fatal(err)
			}
			if m.Reply != strings.TrimSpace(string(want)) {
				t.Errorf("reply:\n%s\n--- want:\n%s\n--- whole text:\n%s", m.Reply, want, m.Text)
			}
			if m.Kind != KindPerson {
				t.Errorf("kind %s (%s), want a person's", m.Kind, m.Why)
			}
			if m.FromAddr == "" || m.FromName == "" || strings.ContainsAny(m.FromName, "=?") {
				t.Errorf("from %q <%s>", m.FromName, m.FromAddr)
			}
			if len(m.InReplyTo) != 1 || m.InReplyTo[0] != "kedja-i41-7-abcdefghijklmnop@portal.blomsterhuset.example" ||
				len(m.References) != 2 {
				t.Errorf("in-reply-to %v references %v", m.InReplyTo, m.References)
			}
			if !contains(m.To, "help+i41-7-abcdefghijklmnop@blomsterhuset.example") || !contains(m.To, "help@blomsterhuset.example") {
				t.Errorf("to %v", m.To)
			}
			if m.MessageID == "" || strings.Contains(m.MessageID, "<") || m.Subject == "" {
				t.Errorf("message id %q subject %q", m.MessageID, m.Subject)
			}
			for _, bad := range []string{"wrote:", "skrev", "schreef", "geschreven", "Anna Holm (Florist)", "iPhone", "_____", "+45 12"} {
				if strings.Contains(m.Reply, bad) {
					t.Errorf("reply keeps %q", bad)
				}
			}
		})
	}
}

// TestHTMLOnlyReplies: a reply with only an HTML part loses the quoted
// part clients mark (Gmail's gmail_quote, Outlook's divRplyFwdMsg).
func TestHTMLOnlyReplies(t *testing.T) {
	for _, name := range []string{"gmail_nl", "outlook_sv"} {
		raw := string(fixture(t, "replies/"+name+".eml"))
		// Keep only the HTML alternative.
		i := strings.Index(raw, "Content-Type: text/plain")
		j := strings.Index(raw, "Content-Type: text/html")
		raw = raw[:i] + raw[j:]
		m, err := Parse([]byte(raw), Envelope{})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile("testdata/replies/" + name + ".want")
		if strings.Join(strings.Fields(m.Reply), " ") != strings.Join(strings.Fields(string(want)), " ") {
			t.Errorf("%s html reply:\n%s\n--- want:\n%s", name, m.Reply, want)
		}
	}
}

// TestAutoRepliesAndBounces: out-of-office replies, vacation responders,
// mailing lists and delivery reports are recognised, and a bounce names
// the addresses that failed for good (not the delayed ones).
func TestAutoRepliesAndBounces(t *testing.T) {
	cases := []struct {
		file, kind string
		failed     []string
	}{
		{"auto/outlook_ooo_da.eml", KindAutoReply, nil},
		{"auto/gmail_vacation_sv.eml", KindAutoReply, nil},
		{"auto/subject_only_nl.eml", KindAutoReply, nil},
		{"auto/subject_only_en.eml", KindAutoReply, nil},
		{"auto/list_en.eml", KindAutoReply, nil},
		{"bounces/dsn_postfix.eml", KindBounce, []string{"ann.jensen@example.com"}},
		{"bounces/exim_failed.eml", KindBounce, []string{"soren.aero@example.dk"}},
		{"bounces/delayed_dsn.eml", KindBounce, nil},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			m, err := Parse(fixture(t, c.file), Envelope{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != c.kind || m.Why == "" {
				t.Errorf("kind %s (%s), want %s", m.Kind, m.Why, c.kind)
			}
			if strings.Join(m.Failed, ",") != strings.Join(c.failed, ",") {
				t.Errorf("failed %v, want %v", m.Failed, c.failed)
			}
			if len(c.failed) > 0 && m.FailedReason == "" {
				t.Errorf("no reason for the bounce")
			}
		})
	}
	// A message from a person, but with an empty envelope sender, is a bounce.
	m, err := Parse(fixture(t, "replies/gmail_en.eml"), Envelope{Null: true})
	if err != nil || m.Kind != KindBounce {
		t.Errorf("null sender: %v %v", m, err)
	}
}

// TestStripReplyKeepsWhatWasWritten: lines that only look like quote
// material stay when nothing quoted follows.
func TestStripReplyKeepsWhatWasWritten(t *testing.T) {
	for _, s := range []string{
		"From: the warehouse, I was told it left on Monday.\nCan you check?",
		"The box said -- fragile -- on it.",
		"Order BQ-1001 arrived broken.\n\nAnn",
	} {
		if got := StripReply(s); got != s {
			t.Errorf("StripReply(%q) = %q", s, got)
		}
	}
	in := "Yes, Tuesday works.\n\n> On Mon, Anna wrote:\n> Does Tuesday work?\n\nThanks!"
	if got := StripReply(in); got != "Yes, Tuesday works.\n\nThanks!" {
		t.Errorf("interleaved: %q", got)
	}
}
