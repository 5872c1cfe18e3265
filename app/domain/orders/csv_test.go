package orders_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// csvShop is a store with two active florists, for the CSV tests.
type csvShop struct {
	s          *store.Store
	hub        *live.Hub
	anna, per  *model.Staff
	now        time.Time
	errs       []orders.RowError
	batchSize  int
	copenhagen *time.Location
}

func newCSVShop(t testing.TB, s *store.Store) *csvShop {
	t.Helper()
	ctx := context.Background()
	if _, err := s.EnsureSettings(ctx, "Blomsterhuset"); err != nil {
		t.Fatal(err)
	}
	add := func(email, name string) *model.Staff {
		st := &model.Staff{Email: email, FullName: name, Title: "Florist", Active: true}
		if _, err := s.SaveStaff(ctx, st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	cph, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	return &csvShop{s: s, hub: live.NewHub(), anna: add("anna@shop.example", "Anna Holm"), per: add("per@shop.example", "Per Berg"),
		now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), copenhagen: cph}
}

// load imports file, collecting the bad rows in sh.errs.
func (sh *csvShop) load(t testing.TB, file string) (orders.Summary, error) {
	t.Helper()
	return sh.loadFrom(t, strings.NewReader(file))
}

func (sh *csvShop) loadFrom(t testing.TB, r io.Reader) (orders.Summary, error) {
	t.Helper()
	sh.errs = nil
	return orders.ImportCSV(context.Background(), sh.s, sh.hub, r, orders.CSVOptions{
		Now: func() time.Time { return sh.now }, Location: sh.copenhagen, BatchSize: sh.batchSize,
		OnError: func(e orders.RowError) { sh.errs = append(sh.errs, e) },
	})
}

func (sh *csvShop) mustLoad(t testing.TB, file string, want orders.Summary) {
	t.Helper()
	sum, err := sh.load(t, file)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if sum != want {
		t.Fatalf("summary %#v, want %#v; bad rows: %v", sum, want, sh.errs)
	}
}

func (sh *csvShop) order(t testing.TB, ref string) *model.Order {
	t.Helper()
	o, err := sh.s.OrderByRef(context.Background(), ref)
	if err != nil {
		t.Fatalf("order %s: %v", ref, err)
	}
	return o
}

func (sh *csvShop) count(t testing.TB, table string) int {
	t.Helper()
	n, err := sh.s.RIDB().NewSelect().TableExpr(table).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestImportCSVFormats(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		sh := newCSVShop(t, s)
		t.Run("comma, quoted commas and line breaks, header in any order and case", func(t *testing.T) {
			sh.mustLoad(t, " Status ,ORDER_REF,customer_email,Customer_Name,items,total,currency,placed_at,recipient_name,owner_email\r\n"+
				`confirmed,C-1,ann@example.com,"Jensen, Ann","2x Roses, red; 1x Card",499.5,dkk,2026-11-20T10:15:00Z,"Birthe Hansen",per@shop.example`+"\r\n"+
				`shipped,C-2,Bo@Example.com,"Bo ""the florist"" Ek",Tulips,1500,JPY,2026-11-20 10:15,,`+"\n",
				orders.Summary{Rows: 2, Created: 2})
			o := sh.order(t, "C-1")
			if o.Customer.Name != "Jensen, Ann" || o.Total != "499.50" || o.Currency != "DKK" || o.OwnerID != sh.per.ID ||
				len(o.Items) != 2 || o.Items[0] != (model.Item{Name: "Roses, red", Quantity: 2}) || o.Items[1] != (model.Item{Name: "Card", Quantity: 1}) ||
				o.Status != model.OrderConfirmed || o.RecipientName != "Birthe Hansen" || !o.PlacedAt.Equal(time.Date(2026, 11, 20, 10, 15, 0, 0, time.UTC)) {
				t.Fatalf("C-1: %+v %+v", o, o.Customer)
			}
			o2 := sh.order(t, "C-2")
			if o2.Customer.Email != "bo@example.com" || o2.Customer.Name != `Bo "the florist" Ek` || o2.Total != "1500" ||
				!o2.PlacedAt.Equal(time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)) { // 10:15 in Copenhagen
				t.Fatalf("C-2: %+v %+v", o2, o2.Customer)
			}
		})
		t.Run("UTF-8 byte-order mark, semicolons and decimal commas (Excel da/sv/nl)", func(t *testing.T) {
			sh.mustLoad(t, "\xEF\xBB\xBForder_ref;customer_email;customer_name;status;items;total;currency;expected_delivery\r\n"+
				"S-1;åsa@example.com;Åsa Öberg;received;1x Bukett;499,00;SEK;2026-11-26\r\n",
				orders.Summary{Rows: 1, Failed: 1}) // a non-ASCII address is refused, like the API does
			if len(sh.errs) != 1 || sh.errs[0].Line != 2 || sh.errs[0].Field != "customer_email" {
				t.Fatalf("bad rows %v", sh.errs)
			}
			sh.mustLoad(t, "\xEF\xBB\xBForder_ref;customer_email;customer_name;status;items;total;currency;expected_delivery\r\n"+
				"S-1;asa@example.com;Åsa Öberg;received;\"2x Rosor; 1x Kort\";1499,5;SEK;2026-11-26\r\n"+
				"S-2;asa@example.com;Åsa Öberg;received;Kort;\"12,00\";SEK;\r\n",
				orders.Summary{Rows: 2, Created: 2})
			o := sh.order(t, "S-1")
			if o.Total != "1499.50" || o.Currency != "SEK" || o.Customer.Name != "Åsa Öberg" || len(o.Items) != 2 || o.ExpectedDelivery != "2026-11-26" {
				t.Fatalf("S-1: %+v", o)
			}
			if o := sh.order(t, "S-2"); o.Total != "12.00" {
				t.Fatalf("S-2 total %q", o.Total)
			}
		})
		t.Run("a decimal comma only in a semicolon file; never thousands separators", func(t *testing.T) {
			sh.mustLoad(t, "order_ref,customer_email,status,total,currency\nD-1,d@example.com,received,\"499,00\",DKK\n",
				orders.Summary{Rows: 1, Failed: 1})
			if sh.errs[0].Field != "total" {
				t.Fatalf("bad rows %v", sh.errs)
			}
			sh.mustLoad(t, "order_ref;customer_email;status;total;currency\nD-1;d@example.com;received;1.499,00;DKK\nD-2;d@example.com;received;1499.00;DKK\n",
				orders.Summary{Rows: 2, Created: 1, Failed: 1})
			if sh.errs[0].Line != 2 || sh.errs[0].Field != "total" || !strings.Contains(sh.errs[0].Message, "thousands") {
				t.Fatalf("bad rows %v", sh.errs)
			}
		})
		t.Run("placed_at forms", func(t *testing.T) {
			sh.mustLoad(t, "order_ref,customer_email,status,placed_at\n"+
				"P-1,p@example.com,received,2026-11-20T11:15:00+01:00\n"+
				"P-2,p@example.com,received,2026-11-20\n"+
				"P-3,p@example.com,received,2026-11-20T10:15:30\n"+
				"P-4,p@example.com,received,20-11-2026 10:15\n",
				orders.Summary{Rows: 4, Created: 3, Failed: 1})
			for ref, want := range map[string]time.Time{
				"P-1": time.Date(2026, 11, 20, 10, 15, 0, 0, time.UTC),
				"P-2": time.Date(2026, 11, 19, 23, 0, 0, 0, time.UTC),
				"P-3": time.Date(2026, 11, 20, 9, 15, 30, 0, time.UTC),
			} {
				if o := sh.order(t, ref); o.PlacedAt == nil || !o.PlacedAt.Equal(want) {
					t.Errorf("%s placed at %v, want %v", ref, o.PlacedAt, want)
				}
			}
			if sh.errs[0].Line != 5 || sh.errs[0].Field != "placed_at" {
				t.Fatalf("bad rows %v", sh.errs)
			}
		})
		t.Run("blank rows and trailing empty columns are skipped", func(t *testing.T) {
			sh.mustLoad(t, "order_ref;customer_email;status;;\r\nB-1;b@example.com;received;;\r\n;;;;\r\n\r\n",
				orders.Summary{Rows: 1, Created: 1})
			sh.mustLoad(t, "order_ref;customer_email;status;\r\nB-2;b@example.com;received;oops\r\nB-3;b@example.com;received;;\r\nB-4;b@example.com;received;;x\r\n",
				orders.Summary{Rows: 3, Created: 1, Failed: 2})
			if len(sh.errs) != 2 || sh.errs[0].Line != 2 || !strings.Contains(sh.errs[0].Message, "column 4") || sh.errs[1].Line != 4 {
				t.Fatalf("bad rows %v", sh.errs)
			}
		})
	})
}

func TestImportCSVFileErrors(t *testing.T) {
	s := testenv.NewStore(t, "sqlite")
	sh := newCSVShop(t, s)
	for _, tc := range []struct {
		name, file string
		wants      []string
	}{
		{"empty", "", []string{"empty", "header"}},
		{"unknown column", "order_ref,customer_email,status,colour\nX-1,x@example.com,received,red\n", []string{`unknown column "colour"`, "order_ref, customer_email, customer_name"}},
		{"missing required", "order_ref,customer_name\nX-1,Ann\n", []string{"missing required columns customer_email, status"}},
		{"twice", "order_ref,customer_email,status,Status\nX-1,x@example.com,received,received\n", []string{"a column twice: status"}},
		{"all at once", "order_ref,nope,order_ref\n", []string{`unknown column "nope"`, "twice: order_ref", "missing required columns customer_email, status"}},
		{"tab-separated", "order_ref\tcustomer_email\tstatus\nX-1\tx@example.com\treceived\n", []string{"tab-separated"}},
		{"UTF-16", "\xFF\xFEo\x00r\x00", []string{"UTF-16", "CSV UTF-8"}},
		{"broken header quote", "order_ref,\"customer_email,status\n", []string{"header cannot be read", "quoted"}},
		{"header over 64 KiB", strings.Repeat("a", 70<<10), []string{"header line is over 64 KiB"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := sh.count(t, "orders")
			sum, err := sh.load(t, tc.file)
			var fe *orders.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T), want a *FileError", err, err)
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if sum != (orders.Summary{}) || sh.count(t, "orders") != before {
				t.Errorf("a refused file imported something: %+v", sum)
			}
		})
	}
	t.Run("a header alone imports nothing", func(t *testing.T) {
		sh.mustLoad(t, "order_ref,customer_email,status\r\n", orders.Summary{})
	})
}

// badRowsFile has good rows around bad ones, and quoted values over several
// physical lines (3–5, 9–10), so the line numbers after them must count
// lines, not records. EX-1 and EX-2 exist before the import and are refused
// by Upsert (another customer; a move backwards), after it wrote the
// customer: their savepoint must undo that.
const badRowsFile = `order_ref,customer_email,status,customer_name,items,total,currency,tracking_url
L-1,one@example.com,received,One,1x Rose,10.00,DKK,
L-2,two@example.com,shipped,Two,"1x Rose
1x Card ""with love""
2x Tulip",20.00,DKK,https://track.example/2
L-3,not-an-address,received,Three,,,,
L-4,four@example.com,sent,Four,,,,
L-5,five@example.com,received,Five,0x Rose,,,
L-6,six@example.com,received,"Six
Lines",,,,
L-7,seven@example.com,received,Seven,,499.999,DKK,
L-8,eight@example.com,received,Eight,,,,ftp://x
L-9,nine@example.com,received,Nine,1x Rose,
L-10,ten@example.com,received,Ten "quoted",,,,
L-11,eleven@example.com,received,Eleven,,,,
EX-1,other@example.com,delivered,Other,,,,
EX-2,ex@example.com,received,Renamed,,,,
L-2,two@example.com,received,Two,,,,
,x@example.com,received,,,,,
L-12,twelve@example.com,received,Twelve,,12,DKK,
`

func TestImportCSVBadRowsAreReportedAndTheRestImport(t *testing.T) {
	want := []orders.RowError{
		{Line: 6, Ref: "L-3", Field: "customer_email"},
		{Line: 7, Ref: "L-4", Field: "status"},
		{Line: 8, Ref: "L-5", Field: "items"},
		{Line: 9, Ref: "L-6", Field: "customer_name"},
		{Line: 11, Ref: "L-7", Field: "total"},
		{Line: 12, Ref: "L-8", Field: "tracking_url"},
		{Line: 13, Ref: "L-9", Field: ""},
		{Line: 14, Ref: "", Field: ""},
		{Line: 16, Ref: "EX-1", Field: "customer_email"},
		{Line: 17, Ref: "EX-2", Field: "status"},
		{Line: 18, Ref: "L-2", Field: "order_ref"},
		{Line: 19, Ref: "", Field: "order_ref"},
	}
	for _, batch := range []int{0, 1, 3} {
		t.Run(fmt.Sprintf("batch %d", batch), func(t *testing.T) {
			testenv.EachDB(t, func(t *testing.T, s *store.Store) {
				sh := newCSVShop(t, s)
				sh.batchSize = batch
				sh.mustLoad(t, "order_ref,customer_email,customer_name,status\nEX-1,ex@example.com,Ex Ample,delivered\nEX-2,ex@example.com,Ex Ample,delivered\n",
					orders.Summary{Rows: 2, Created: 2})
				events, mail := sh.count(t, "timeline_events"), sh.count(t, "outbox")
				sh.mustLoad(t, badRowsFile, orders.Summary{Rows: 16, Created: 4, Failed: 12})
				if len(sh.errs) != len(want) {
					t.Fatalf("bad rows:\n%v", sh.errs)
				}
				for i, w := range want {
					g := sh.errs[i]
					if g.Line != w.Line || g.Ref != w.Ref || g.Field != w.Field || g.Message == "" {
						t.Errorf("bad row %d: %+v, want line %d ref %q field %q", i, g, w.Line, w.Ref, w.Field)
					}
				}
				if m := sh.errs[2].Message; !strings.Contains(m, "item 1:") {
					t.Errorf("items message %q does not say which item", m)
				}
				if m := sh.errs[10].Message; !strings.Contains(m, "line 3") {
					t.Errorf("duplicate message %q does not point to the first row", m)
				}
				if got := sh.errs[0].Error(); !strings.HasPrefix(got, "line 6: customer_email: ") {
					t.Errorf("Error() = %q", got)
				}
				o := sh.order(t, "L-2")
				if len(o.Items) != 3 || o.Items[1] != (model.Item{Name: `Card "with love"`, Quantity: 1}) || o.Status != model.OrderShipped {
					t.Errorf("L-2: %+v", o)
				}
				for _, ref := range []string{"L-1", "L-11", "L-12"} {
					sh.order(t, ref)
				}
				if _, err := s.OrderByRef(context.Background(), "L-10"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("L-10 (a bare quote) was imported: %v", err)
				}
				// The refused replacements changed nothing, not even the customer.
				if ex := sh.order(t, "EX-2"); ex.Status != model.OrderDelivered || ex.Customer.Name != "Ex Ample" {
					t.Errorf("EX-2 after its refused row: %s, customer %q", ex.Status, ex.Customer.Name)
				}
				// 4 orders placed, L-2 shipped (event and notice).
				if de, dm := sh.count(t, "timeline_events")-events, sh.count(t, "outbox")-mail; de != 5 || dm != 1 {
					t.Errorf("%d events and %d emails from the file, want 5 and 1", de, dm)
				}
			})
		})
	}
}
