package orders

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// CSVOptions tune ImportCSV; the zero value is the CSV import as the
// command line and the admin page run it.
type CSVOptions struct {
	By        model.Actor      // who the timeline names; zero: CSVActor
	Now       func() time.Time // the clock; nil: time.Now
	Location  *time.Location   // zone of a placed_at without one; nil: UTC
	OnError   func(RowError)   // called for each bad row, in line order
	BatchSize int              // rows per transaction; 0: DefaultCSVBatch, 1: a transaction per row
}

// Summary is what an import did with the file's data rows (blank rows are
// not counted).
type Summary struct {
	Rows      int // data rows read
	Created   int // new orders
	Updated   int // orders that changed
	Unchanged int // rows equal to what was stored: nothing written
	Failed    int // bad rows, each reported to OnError
	// OwnerAssigned counts rows whose owner_email named no active staff
	// member, so the owner rule chose one (a new order) or the order kept
	// its owner (a replacement). They are created or updated, not failed.
	OwnerAssigned int
}

// String is the summary line: "created 3, updated 1, unchanged 0, failed 2".
func (s Summary) String() string {
	return fmt.Sprintf("created %d, updated %d, unchanged %d, failed %d", s.Created, s.Updated, s.Unchanged, s.Failed)
}

// ImportCSV reads orders from a CSV file (the format is described at the
// top of csv.go) and upserts each row exactly as PUT /api/v1/orders/{ref}
// does. A bad row is reported to opt.OnError with its line and reason and
// the other rows still import; importing the same file again changes
// nothing. The file is streamed: one record is held at a time, plus the
// references seen (to refuse a second row for one order) and the rows of the
// transaction being written.
//
// Rows are written BatchSize to a transaction, each row in its own
// savepoint, so a failing row undoes only itself. The error is a *FileError
// when the file cannot be imported (its header, a broken record), or a
// failure of the reader or the database; the rows before it were imported
// and the Summary counts them, so importing the file again after fixing the
// cause is safe.
func ImportCSV(ctx context.Context, s *store.Store, bus Publisher, r io.Reader, opt CSVOptions) (Summary, error) {
	if opt.By == (model.Actor{}) {
		opt.By = CSVActor
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = DefaultCSVBatch
	}
	d, err := newCSVDecoder(r, opt.Location)
	if err != nil {
		return Summary{}, err
	}
	im := &csvImporter{s: s, bus: bus, opt: opt, batch: make([]csvRow, 0, opt.BatchSize),
		env: &env{bus: bus, loc: opt.Location}}
	for {
		row, err := d.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// The rows read before the failure are good: keep them.
			if ferr := im.flush(ctx); ferr != nil {
				return im.sum, ferr
			}
			return im.sum, err
		}
		im.batch = append(im.batch, row)
		if len(im.batch) == opt.BatchSize {
			if err := im.flush(ctx); err != nil {
				return im.sum, err
			}
		}
	}
	return im.sum, im.flush(ctx)
}

// csvImporter writes decoded rows a batch at a time.
type csvImporter struct {
	s     *store.Store
	bus   Publisher
	env   *env // the bus and the business's clock, read once for the import
	opt   CSVOptions
	batch []csvRow
	res   []csvOutcome
	sum   Summary
}

type csvOutcome struct {
	res *Result
	err error
}

// flush writes the batch, then counts and reports its rows in order.
func (im *csvImporter) flush(ctx context.Context) error {
	if len(im.batch) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	im.res = append(im.res[:0], make([]csvOutcome, len(im.batch))...)
	batched := im.opt.BatchSize > 1
	var err error
	if batched {
		err = im.s.WithBulkTx(ctx, func(tx *store.Store) error { return im.writeBatch(ctx, tx) })
	}
	if !batched || err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		// The batch did not commit (or is one row per transaction): each row
		// alone, in its own transaction.
		for i, row := range im.batch {
			if row.err != nil {
				continue
			}
			res, err := upsertGrouped(ctx, im.s, im.env, &im.batch[i].in, im.opt.By, im.opt.Now())
			if err != nil && !rowFault(err) {
				im.count(i)
				im.batch = im.batch[:0]
				return fmt.Errorf("orders: csv import stopped at line %d (the rows before it are imported; importing the file again is safe): %w", row.line, err)
			}
			im.res[i] = csvOutcome{res, err}
		}
	}
	im.count(len(im.batch))
	im.batch = im.batch[:0]
	return nil
}

// writeBatch writes the batch's good rows in tx (writeRows); an error
// returned fails the whole batch (flush then writes its rows one by one).
func (im *csvImporter) writeBatch(ctx context.Context, tx *store.Store) error {
	jobs := make([]*job, 0, len(im.batch))
	at := make([]int, 0, len(im.batch))
	now := model.Normalize(im.opt.Now())
	for i := range im.batch {
		if im.batch[i].err == nil {
			jobs = append(jobs, &job{in: &im.batch[i].in, by: im.opt.By, now: now})
			at = append(at, i)
		}
	}
	if err := writeRows(ctx, tx, im.env, jobs); err != nil {
		return err
	}
	for k, j := range jobs {
		im.res[at[k]] = csvOutcome{j.res, j.err}
	}
	return nil
}

// count adds the first n rows of the batch to the summary and reports the
// bad ones.
func (im *csvImporter) count(n int) {
	for i, row := range im.batch[:n] {
		im.sum.Rows++
		out := im.res[i]
		var re *RowError
		switch {
		case row.err != nil:
			re = row.err
		case out.err != nil:
			e := rowError(row.line, row.ref, out.err)
			if errors.Is(out.err, owner.ErrNoStaff) { // the API's 422 names owner_email too
				e.Field, e.Message = "owner_email", owner.ErrNoStaff.Error()
			}
			re = &e
		case out.res == nil:
			continue // not reached: every good row has a result
		case out.res.Created:
			im.sum.Created++
		case out.res.Changed:
			im.sum.Updated++
		default:
			im.sum.Unchanged++
		}
		if re != nil {
			im.sum.Failed++
			if im.opt.OnError != nil {
				im.opt.OnError(*re)
			}
			continue
		}
		if out.res.OwnerAssigned {
			im.sum.OwnerAssigned++
		}
	}
}

// rowFault reports whether err is the row's own fault (its data breaks a
// rule), so the other rows go on; any other error is a failure of the import.
func rowFault(err error) bool {
	var fe *FieldError
	return errors.As(err, &fe) || errors.Is(err, owner.ErrNoStaff)
}
