package orders

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kedja/kedja/app/model"
)

// The CSV file format (CONTRACT.md, "CSV import"), as this package reads it:
//
//   - UTF-8, with or without a byte-order mark; a UTF-16 file is refused with
//     a hint to save it as "CSV UTF-8".
//   - Comma-separated, or semicolon-separated as Excel writes CSV in Danish,
//     Swedish and Dutch locales: the header line decides (more ";" than ","
//     outside quotes means ";"), unless a first line "sep=;" or "sep=,"
//     (Excel's hint) says so. Quoted values may hold the separator, quotes
//     written twice ("") and line breaks.
//   - A header row; names are trimmed and case-insensitive, in any order.
//     Unknown, duplicate or missing required columns (order_ref,
//     customer_email, status) stop the import before any row is read. A
//     column with an empty name is ignored as long as its values are empty
//     (Excel writes such trailing columns).
//   - One row per order; a second row with the same order_ref is a bad row.
//     Rows whose values are all empty are skipped. A row may have more fields
//     than the header only when the extra ones are empty.
//   - items: "2x Name; 1x Other name" (ParseItems); in a quoted cell a line
//     break may also separate items.
//   - total: "499.00"; in a semicolon-separated file also "499,00" (a decimal
//     comma, as Excel writes it there). Never thousands separators.
//   - placed_at: RFC 3339 ("2026-11-20T10:15:00Z", "2026-11-20T11:15:00+01:00",
//     also with a space for the T), or without a zone ("2026-11-20 10:15",
//     "2026-11-20T10:15:00") or a date alone ("2026-11-20", midnight), both
//     read in the business time zone (CSVOptions.Location).
//   - delivered_at: as placed_at; only with status delivered (empty: now).
//   - expected_delivery: YYYY-MM-DD.
//
// Every row goes through Input.Normalize and Upsert, exactly as an API body.

// CSVColumns are the columns of the CSV import, in CONTRACT.md's order.
var CSVColumns = []string{"order_ref", "customer_email", "customer_name", "customer_locale", "status",
	"placed_at", "expected_delivery", "items", "total", "currency", "owner_email", "carrier",
	"tracking_number", "tracking_url", "recipient_name", "delivered_at"}

// CSVRequired are the columns a CSV file must have.
var CSVRequired = []string{"order_ref", "customer_email", "status"}

// Column indexes into CSVColumns.
const (
	colRef = iota
	colEmail
	colName
	colLocale
	colStatus
	colPlacedAt
	colExpected
	colItems
	colTotal
	colCurrency
	colOwner
	colCarrier
	colTrackingNumber
	colTrackingURL
	colRecipient
	colDeliveredAt
	numColumns
)

// CSVActor is who the timeline says made a CSV-imported change.
var CSVActor = model.Actor{Kind: model.ActorSystem, Name: "CSV import"}

// DefaultCSVBatch is how many rows ImportCSV writes per transaction.
const DefaultCSVBatch = 1000

// MaxCSVRecord bounds one CSV record (a row with all its quoted line
// breaks), so a quote that is never closed cannot make the import hold a
// whole upload in memory.
const MaxCSVRecord = 1 << 20

// maxHeader bounds the header line.
const maxHeader = 64 << 10

// RowError is a bad row: its line in the file (the physical line where the
// record starts, counting from 1 with the header), the order reference when
// it could be read, the column at fault ("" when it is the row as a whole)
// and what to fix.
type RowError struct {
	Line    int
	Ref     string
	Field   string
	Message string
}

// Error is "line N: field: message".
func (e RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
}

// FileError means the file as a whole cannot be imported (its header, its
// encoding, a broken record that hides where the next row starts). Line is
// 0 when no line is to blame.
type FileError struct {
	Line    int
	Message string
}

func (e *FileError) Error() string {
	if e.Line == 0 {
		return "csv: " + e.Message
	}
	return fmt.Sprintf("csv: line %d: %s", e.Line, e.Message)
}

// csvRow is one data row, decoded: an order to upsert, or why not.
type csvRow struct {
	line int
	ref  string
	in   Input
	err  *RowError // set: a bad row, in is not used
}

// csvDecoder reads a CSV file record by record and turns each into a
// normalized Input. It holds one record at a time, plus the references seen
// so far (to refuse a second row for the same order; as hashes, see seen).
type csvDecoder struct {
	cr    *csv.Reader
	lim   *recordLimit
	semi  bool // semicolon-separated: a decimal comma is allowed
	index [numColumns]int
	width int    // fields in the header
	named []bool // by field position: the header gave it a name
	loc   *time.Location
	// seen maps a 64-bit hash of each order_ref read (with a seed of this
	// import's own) to the line of its row: 12 bytes an order, where the
	// references themselves would keep their whole records alive. Two
	// references share a hash with a chance of about 1 in 3·10⁷ in a file
	// of a million rows, and then differently on the next import.
	seen   map[uint64]int32
	seed   maphash.Seed
	last   int   // line of the last record read
	skip   int   // lines before the header (a "sep=;" line)
	offset int64 // csv.Reader.InputOffset after the last record
}

// newCSVDecoder reads the byte-order mark, picks the separator and reads the
// header. Its errors are *FileError (or the reader's own error).
func newCSVDecoder(r io.Reader, loc *time.Location) (*csvDecoder, error) {
	if loc == nil {
		loc = time.UTC
	}
	br := bufio.NewReaderSize(r, maxHeader)
	if b, _ := br.Peek(3); bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		_, _ = br.Discard(3)
	} else if bytes.HasPrefix(b, []byte("\xFF\xFE")) || bytes.HasPrefix(b, []byte("\xFE\xFF")) {
		return nil, &FileError{Message: "the file is UTF-16 text: save it as \"CSV UTF-8\" (comma- or semicolon-separated)"}
	}
	d := &csvDecoder{loc: loc, seen: map[uint64]int32{}, seed: maphash.MakeSeed()}
	head, err := d.firstLine(br)
	if err != nil {
		return nil, err
	}
	switch sep, ok := sepLine(head); {
	case ok && sep != ',' && sep != ';':
		return nil, &FileError{Line: 1, Message: fmt.Sprintf("the file says sep=%q: only comma- or semicolon-separated CSV can be imported", sep)}
	case ok:
		// Excel's "sep=;" hint line: the header is on the next line.
		d.semi, d.skip = sep == ';', 1
		if head, err = d.firstLine(br); err != nil {
			return nil, err
		}
	default:
		d.semi = countOutsideQuotes(head, ';') > countOutsideQuotes(head, ',')
	}
	d.lim = &recordLimit{r: br}
	d.cr = csv.NewReader(d.lim)
	if d.semi {
		d.cr.Comma = ';'
	}
	d.cr.FieldsPerRecord = -1 // checked per row, so a short row is a bad row, not the end
	d.cr.ReuseRecord = true
	d.cr.TrimLeadingSpace = true
	header, err := d.cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, &FileError{Message: "the file is empty: the first line must be the header, such as order_ref,customer_email,status"}
	case err != nil:
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &FileError{Line: pe.StartLine + d.skip, Message: "the header cannot be read: " + quoteHint(pe.Err)}
		}
		return nil, d.readError(err)
	}
	if err := d.readHeader(header, head); err != nil {
		return nil, err
	}
	d.last, _ = d.cr.FieldPos(0)
	d.last += d.skip
	d.offset = d.cr.InputOffset()
	d.lim.mark = d.offset
	return d, nil
}

// firstLine returns a copy of the line br is at, without consuming it; a
// "sep=" line is consumed.
func (d *csvDecoder) firstLine(br *bufio.Reader) ([]byte, error) {
	for n := 512; ; n *= 2 {
		b, err := br.Peek(min(n, maxHeader))
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line := bytes.Clone(b[:i])
			if _, ok := sepLine(line); ok && d.skip == 0 {
				_, _ = br.Discard(i + 1)
			}
			return line, nil
		}
		switch {
		case errors.Is(err, io.EOF):
			if _, ok := sepLine(b); ok && d.skip == 0 {
				_, _ = br.Discard(len(b))
			}
			return bytes.Clone(b), nil
		case errors.Is(err, bufio.ErrBufferFull) || n >= maxHeader:
			return nil, &FileError{Line: 1 + d.skip, Message: fmt.Sprintf("the header line is over %d KiB: is this a CSV file with a header row?", maxHeader>>10)}
		case err != nil:
			return nil, err
		}
	}
}

// sepLine reads Excel's separator hint, a first line "sep=;".
func sepLine(line []byte) (byte, bool) {
	line = bytes.TrimRight(line, "\r")
	if len(line) == 5 && bytes.EqualFold(line[:4], []byte("sep=")) {
		return line[4], true
	}
	return 0, false
}

// countOutsideQuotes counts c in line outside double-quoted parts.
func countOutsideQuotes(line []byte, c byte) int {
	n, quoted := 0, false
	for _, b := range line {
		switch {
		case b == '"':
			quoted = !quoted
		case b == c && !quoted:
			n++
		}
	}
	return n
}

// readHeader maps the header's names to columns, refusing unknown,
// duplicate and missing required ones in one message.
func (d *csvDecoder) readHeader(header []string, raw []byte) error {
	for i := range d.index {
		d.index[i] = -1
	}
	d.width = len(header)
	d.named = make([]bool, len(header))
	var unknown, dup []string
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if name == "" {
			continue
		}
		d.named[i] = true
		col := columnIndex(name)
		switch {
		case col < 0:
			unknown = append(unknown, strconv.Quote(strings.TrimSpace(h)))
		case d.index[col] >= 0:
			dup = append(dup, name)
		default:
			d.index[col] = i
		}
	}
	var missing []string
	for _, name := range CSVRequired {
		if d.index[columnIndex(name)] < 0 {
			missing = append(missing, name)
		}
	}
	var probs []string
	if len(unknown) > 0 {
		probs = append(probs, plural(len(unknown), "unknown column ", "unknown columns ")+strings.Join(unknown, ", "))
	}
	if len(dup) > 0 {
		probs = append(probs, plural(len(dup), "a column twice: ", "columns twice: ")+strings.Join(dup, ", "))
	}
	if len(missing) > 0 {
		probs = append(probs, plural(len(missing), "missing required column ", "missing required columns ")+strings.Join(missing, ", "))
	}
	if len(probs) == 0 {
		return nil
	}
	msg := strings.Join(probs, "; ") + ". The columns are " + strings.Join(CSVColumns, ", ") +
		" (order_ref, customer_email and status required)"
	if bytes.IndexByte(raw, '\t') >= 0 && d.width == 1 {
		msg += "; the file looks tab-separated: save it as CSV, comma- or semicolon-separated"
	}
	return &FileError{Line: 1 + d.skip, Message: msg}
}

func columnIndex(name string) int {
	for i, c := range CSVColumns {
		if c == name {
			return i
		}
	}
	return -1
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// next returns the next data row (good or bad), io.EOF at the end, or an
// error that stops the import (*FileError, or the reader's).
func (d *csvDecoder) next() (csvRow, error) {
	for {
		rec, err := d.cr.Read()
		if errors.Is(err, io.EOF) {
			return csvRow{}, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return csvRow{}, d.readError(err)
			}
			off, start := d.cr.InputOffset(), pe.StartLine+d.skip
			if off <= d.offset { // no progress: cannot tell where the next row starts
				return csvRow{}, &FileError{Line: start, Message: quoteHint(pe.Err)}
			}
			d.offset, d.lim.mark, d.last = off, off, pe.Line+d.skip
			msg := quoteHint(pe.Err)
			if pe.Line > pe.StartLine {
				msg += fmt.Sprintf(" (this value runs on to line %d)", pe.Line+d.skip)
			}
			return csvRow{line: start, err: &RowError{Line: start, Message: msg}}, nil
		}
		line, _ := d.cr.FieldPos(0)
		line += d.skip
		d.offset = d.cr.InputOffset()
		d.lim.mark = d.offset
		d.last = line
		if blank(rec) {
			continue
		}
		return d.row(line, rec), nil
	}
}

// readError explains a failed read: a record over MaxCSVRecord, or the
// reader's own error (a cut upload, a body over its limit).
func (d *csvDecoder) readError(err error) error {
	if errors.Is(err, errRecordTooLong) {
		return &FileError{Line: d.last + 1, Message: fmt.Sprintf("a row from here on is over %d MiB: is a closing quote (\") missing?", MaxCSVRecord>>20)}
	}
	return fmt.Errorf("csv: read after line %d: %w", d.last, err)
}

func quoteHint(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return `a " inside a value that is not in quotes: put the whole value in double quotes and write each " inside it twice ("")`
	case errors.Is(err, csv.ErrQuote):
		return `a quoted value is not closed properly: a " inside quotes must be written twice (""), and the value must end with a " before the next separator`
	}
	return err.Error()
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// row turns one record into a normalized Input, or a bad row.
func (d *csvDecoder) row(line int, rec []string) csvRow {
	r := csvRow{line: line}
	get := func(col int) string {
		if i := d.index[col]; i >= 0 && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	r.ref = strings.TrimSpace(get(colRef))
	fail := func(field, msg string) csvRow {
		if !utf8.ValidString(r.ref) {
			r.ref = strings.ToValidUTF8(r.ref, "?")
		}
		r.err = &RowError{Line: line, Ref: r.ref, Field: field, Message: msg}
		return r
	}
	if len(rec) < d.width {
		return fail("", fmt.Sprintf("%d values where the header has %d columns: does a value with a %s or a line break lack its quotes?",
			len(rec), d.width, d.sep()))
	}
	for i, v := range rec {
		named := i < d.width && d.named[i]
		if !named && strings.TrimSpace(v) != "" {
			if i >= d.width {
				return fail("", fmt.Sprintf("%d values where the header has %d columns: does a value with a %s lack its quotes?", len(rec), d.width, d.sep()))
			}
			return fail("", fmt.Sprintf("column %d has a value but no name in the header", i+1))
		}
		if named && !utf8.ValidString(v) {
			return fail(d.nameAt(i), `not UTF-8 text: save the file as "CSV UTF-8"`)
		}
	}
	in := &r.in
	in.Ref, in.CustomerEmail, in.CustomerName, in.CustomerLocale = get(colRef), get(colEmail), get(colName), get(colLocale)
	in.Status, in.ExpectedDelivery, in.Currency, in.OwnerEmail = get(colStatus), get(colExpected), get(colCurrency), get(colOwner)
	in.Carrier, in.TrackingNumber, in.TrackingURL, in.RecipientName = get(colCarrier), get(colTrackingNumber), get(colTrackingURL), get(colRecipient)
	var err error
	if in.PlacedAt, err = parsePlacedAt(get(colPlacedAt), d.loc); err != nil {
		return fail("placed_at", err.Error())
	}
	if in.DeliveredAt, err = parsePlacedAt(get(colDeliveredAt), d.loc); err != nil {
		return fail("delivered_at", err.Error())
	}
	if in.Items, err = ParseItems(itemBreaks.Replace(get(colItems))); err != nil {
		return d.fieldFail(r, err)
	}
	if in.Total, err = d.money(get(colTotal)); err != nil {
		return fail("total", err.Error())
	}
	if err := in.Normalize(); err != nil {
		return d.fieldFail(r, err)
	}
	r.ref = in.Ref
	h := maphash.String(d.seed, in.Ref)
	if first, ok := d.seen[h]; ok {
		return fail("order_ref", fmt.Sprintf("%s is also on line %d: the file must have one row per order", in.Ref, first))
	}
	d.seen[h] = int32(min(line, math.MaxInt32))
	return r
}

func (d *csvDecoder) sep() string {
	if d.semi {
		return "semicolon"
	}
	return "comma"
}

func (d *csvDecoder) nameAt(i int) string {
	for col, at := range d.index {
		if at == i {
			return CSVColumns[col]
		}
	}
	return fmt.Sprintf("column %d", i+1)
}

func (d *csvDecoder) fieldFail(r csvRow, err error) csvRow {
	re := rowError(r.line, r.ref, err)
	if !utf8.ValidString(re.Ref) {
		re.Ref = strings.ToValidUTF8(re.Ref, "?")
	}
	r.err = &re
	return r
}

// itemBreaks lets a quoted items cell put each item on its own line, as
// people type lists in a spreadsheet cell.
var itemBreaks = strings.NewReplacer("\r\n", ";", "\n", ";", "\r", ";")

// money reads the total; a semicolon-separated file may write "499,00".
func (d *csvDecoder) money(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !d.semi || !strings.Contains(s, ",") {
		return s, nil
	}
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		return strings.Replace(s, ",", ".", 1), nil
	}
	return "", errors.New(`an exact amount such as 499,00 or 499.00, without thousands separators, sign or currency symbol`)
}

// parsePlacedAt reads a CSV placed_at: RFC 3339 (a space may stand for the
// T), or a date and time without a zone, or a date alone (midnight), both in
// loc. "" is no time (nil).
func parsePlacedAt(s string, loc *time.Location) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return &t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return &t, nil
		}
	}
	return nil, errors.New("a time such as 2026-11-20T10:15:00Z or 2026-11-20T10:15:00+01:00 (RFC 3339), " +
		"or 2026-11-20 10:15 or 2026-11-20 in the business time zone")
}

// rowError is err (a *FieldError or another refusal) as a bad row, with the
// field named by its CSV column.
func rowError(line int, ref string, err error) RowError {
	re := RowError{Line: line, Ref: ref}
	var fe *FieldError
	if !errors.As(err, &fe) {
		re.Message = err.Error()
		return re
	}
	re.Field, re.Message = fe.Field, fe.Message
	switch {
	case fe.Field == "ref":
		re.Field = "order_ref"
	case strings.HasPrefix(fe.Field, "customer."):
		re.Field = "customer_" + strings.TrimPrefix(fe.Field, "customer.")
	case strings.HasPrefix(fe.Field, "items["):
		if n, err := strconv.Atoi(strings.TrimPrefix(fe.Field[:max(strings.IndexByte(fe.Field, ']'), 0)], "items[")); err == nil {
			re.Message = fmt.Sprintf("item %d: %s", n+1, fe.Message)
		}
		re.Field = "items"
	}
	return re
}

// errRecordTooLong is recordLimit's refusal.
var errRecordTooLong = errors.New("csv record too long")

// recordLimit refuses to read more than MaxCSVRecord (plus the csv
// reader's buffer) past mark, the offset where the last record ended.
type recordLimit struct {
	r    io.Reader
	n    int64 // bytes read
	mark int64
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.n-l.mark > MaxCSVRecord+64<<10 {
		return 0, errRecordTooLong
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}
