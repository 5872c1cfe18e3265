package inmail

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

var (
	// quoteHeader ends the line a client writes above the quoted message:
	// "On Tue, 24 Nov 2026 at 14:02, Shop <help@…> wrote:", "Den 24 nov.
	// 2026 kl. 14:02 skrev …:", "Op 24 nov 2026 om 14:02 schreef …:",
	// Apple's Dutch "… heeft … het volgende geschreven:".
	quoteHeader = regexp.MustCompile(`(?i)(wrote|writes|skrev|skriver|schreef|geschreven|schrieb|a écrit)\s*:\s*$`)
	// headerStart and headerNext recognise a quoted header block
	// (Outlook, and forwarding): From:/Fra:/Från:/Van: followed within a
	// few lines by Sent:/Sendt:/Skickat:/Verzonden:/Date:/To:/Subject:…
	headerStart = regexp.MustCompile(`(?i)^\*?(from|fra|från|van|von|de)\s*:\*?\s*\S`)
	headerNext  = regexp.MustCompile(`(?i)^\*?(sent|sendt|skickat|verzonden|gesendet|date|dato|datum|to|til|till|aan|an|cc|subject|emne|ämne|onderwerp|betreff)\s*:`)
	// originalMessage is the "-----Original Message-----" line and its
	// translations.
	originalMessage = regexp.MustCompile(`(?i)^-{2,}\s*(original message|forwarded message|ursprungligt meddelande|vidarebefordrat meddelande|oprindelig meddelelse|videresendt meddelelse|oorspronkelijk bericht|doorgestuurd bericht|ursprüngliche nachricht)\s*-{2,}$`)
	// underscores is Outlook's line above the quoted header block.
	underscores = regexp.MustCompile(`^_{10,}$`)
	// deviceLine is the "Sent from my iPhone" a phone adds in place of a
	// signature.
	deviceLine = regexp.MustCompile(`(?i)^(sent from my|skickat från min|sendt fra min|verzonden (vanaf|met) mijn|verstuurd (vanaf|met) mijn|von meinem .* gesendet|get outlook for|hämta outlook för|hent outlook til|download outlook voor)\b`)
)

// StripReply takes the quoted history and the signature off a reply's
// text: everything from the client's quote header ("On … wrote:", "Den …
// skrev:", "Op … schreef:"), a quoted header block (From:/Fra:/Från:/Van:
// with Sent:/Date:… under it, after Outlook's underscore line or not),
// "-----Original Message-----", the "-- " signature line or a "Sent from
// my iPhone" line on; and lines quoted with ">". What is left is what the
// person wrote.
func StripReply(text string) string {
	lines := strings.Split(normalize(text), "\n")
	cut := len(lines)
	for i := 0; i < len(lines) && i < cut; i++ {
		raw := strings.TrimRight(lines[i], " \t")
		t := strings.TrimSpace(lines[i])
		switch {
		case raw == "--" || lines[i] == "-- " || t == "--":
			cut = i
		case underscores.MatchString(t), originalMessage.MatchString(t), deviceLine.MatchString(t):
			cut = i
		case headerStart.MatchString(t) && headerFollows(lines, i):
			cut = i
		case !strings.HasPrefix(t, ">") && startsQuoteHeader(t) && wrappedHeader(lines, i):
			cut = i
		case !strings.HasPrefix(t, ">") && quoteHeader.MatchString(t):
			cut = i
			// Gmail wraps a long header over two or three lines: cut
			// from where it starts.
			for j := i - 1; j >= 0 && j >= i-2; j-- {
				p := strings.TrimSpace(lines[j])
				if p == "" || strings.HasPrefix(p, ">") {
					break
				}
				if startsQuoteHeader(p) {
					cut = j
					break
				}
			}
		}
	}
	var out []string
	for _, l := range lines[:cut] {
		if strings.HasPrefix(strings.TrimSpace(l), ">") {
			continue
		}
		out = append(out, strings.TrimRight(l, " \t"))
	}
	// At most one empty line in a row, none at either end.
	var b strings.Builder
	blank := true
	for _, l := range out {
		if l == "" {
			if !blank {
				b.WriteString("\n")
			}
			blank = true
			continue
		}
		b.WriteString(l)
		b.WriteString("\n")
		blank = false
	}
	return strings.TrimSpace(b.String())
}

// startsQuoteHeader: the first words of a quote header that wrapped.
var quoteHeaderStart = regexp.MustCompile(`(?i)^(on|den|op|am|le|el)\s.*\d`)

func startsQuoteHeader(s string) bool { return quoteHeaderStart.MatchString(s) }

// quoteVerb finds the verb of a quote header anywhere before its colon.
var quoteVerb = regexp.MustCompile(`(?i)\b(wrote|writes|skrev|skriver|schreef|geschreven|schrieb|a écrit)\b[^:]*:\s*$|\b(wrote|skrev|schreef|geschreven|schrieb)\b.*>:\s*$`)

// wrappedHeader reports whether line i and the one or two after it are a
// quote header that the client wrapped ("On …, Shop <" / "help@…> wrote:").
func wrappedHeader(lines []string, i int) bool {
	joined := strings.TrimSpace(lines[i])
	for j := i + 1; j < len(lines) && j <= i+2; j++ {
		next := strings.TrimSpace(lines[j])
		if next == "" || strings.HasPrefix(next, ">") {
			return false
		}
		joined += " " + next
		if quoteVerb.MatchString(joined) {
			return true
		}
	}
	return false
}

// headerFollows reports whether one of the few lines after i is another
// header of a quoted header block.
func headerFollows(lines []string, i int) bool {
	for j := i + 1; j < len(lines) && j <= i+4; j++ {
		if headerNext.MatchString(strings.TrimSpace(lines[j])) {
			return true
		}
	}
	return false
}

// htmlText turns an HTML body into text, leaving out what clients mark as
// the quoted message (Gmail's gmail_quote, Apple's and Thunderbird's
// blockquote type=cite, Outlook's divRplyFwdMsg and everything after it).
// quoted reports whether anything was left out that way.
func htmlText(src string) (text string, quoted bool) {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	skip := 0 // depth inside an element whose text is not wanted
	var stack []bool
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return normalizeBlank(b.String()), quoted
		case html.TextToken:
			if skip == 0 {
				b.WriteString(strings.Join(strings.Fields(string(z.Text())), " "))
				if t := z.Text(); len(t) > 0 && (t[len(t)-1] == ' ' || t[len(t)-1] == '\n') {
					b.WriteString(" ")
				}
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			var class, id, typ string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "class":
					class = string(v)
				case "id":
					id = string(v)
				case "type":
					typ = string(v)
				}
			}
			if id == "appendonsend" || id == "divRplyFwdMsg" || strings.Contains(class, "OutlookMessageHeader") {
				// Outlook: the quoted message follows, not nested.
				return normalizeBlank(b.String()), true
			}
			unwanted := tag == "style" || tag == "script" || tag == "head" || tag == "title" ||
				(tag == "blockquote" && (typ == "cite" || skip > 0)) || strings.Contains(class, "gmail_quote") ||
				strings.Contains(class, "moz-cite-prefix") || strings.Contains(class, "yahoo_quoted")
			if unwanted && tag != "style" && tag != "script" && tag != "head" && tag != "title" {
				quoted = true
			}
			if tt == html.StartTagToken && !void(tag) {
				stack = append(stack, unwanted)
				if unwanted {
					skip++
				}
			}
			if skip == 0 {
				switch tag {
				case "br":
					b.WriteString("\n")
				case "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table", "blockquote", "hr":
					b.WriteString("\n")
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if void(tag) || len(stack) == 0 {
				continue
			}
			if stack[len(stack)-1] {
				skip--
			}
			stack = stack[:len(stack)-1]
			if skip == 0 {
				switch tag {
				case "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table":
					b.WriteString("\n")
				}
			}
		}
	}
}

func void(tag string) bool {
	switch tag {
	case "br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source":
		return true
	}
	return false
}

// normalizeBlank trims each line and keeps at most one empty line in a row.
func normalizeBlank(s string) string {
	var out []string
	blank := false
	for _, l := range strings.Split(html.UnescapeString(s), "\n") {
		l = strings.TrimSpace(strings.ReplaceAll(l, "\u00a0", " "))
		if l == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, l)
		blank = false
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
