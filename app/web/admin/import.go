package admin

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/orders"
)

// MaxShownRowErrors caps the bad rows listed on the result page; the
// summary still counts them all.
const MaxShownRowErrors = 200

// importUploadTime is how long an upload may take to arrive and import: the
// server's ReadTimeout (30 s) is lifted for this route, since the file is
// read while its rows are written.
const importUploadTime = 30 * time.Minute

type importData struct {
	view
	Columns  []string
	Required []string
	Done     bool // an import ran: show its summary
	FileName string
	Summary  orders.Summary
	Bad      []orders.RowError // the first MaxShownRowErrors
	More     int               // bad rows not listed
}

// ImportForm shows the CSV upload form.
func (h *Handlers) ImportForm(c echo.Context) error {
	return h.views.Render(c, http.StatusOK, "admin/import", "", h.importData(c))
}

func (h *Handlers) importData(c echo.Context) importData {
	return importData{view: h.page(c, "admin.import.title"), Columns: orders.CSVColumns, Required: orders.CSVRequired}
}

// Import streams the uploaded CSV file through the importer and shows
// the summary and the bad rows.
func (h *Handlers) Import(c echo.Context) error {
	d := h.importData(c)
	_ = http.NewResponseController(c.Response()).SetReadDeadline(time.Now().Add(importUploadTime))
	file, name, err := importFile(c)
	if err != nil {
		d.Error = d.T("admin.import.no_file")
		return h.views.Render(c, http.StatusUnprocessableEntity, "admin/import", "result", d)
	}
	sum, err := orders.ImportCSV(c.Request().Context(), h.store, h.bus, file, orders.CSVOptions{
		Now: h.now, Location: h.loc,
		OnError: func(e orders.RowError) {
			if len(d.Bad) < MaxShownRowErrors {
				d.Bad = append(d.Bad, e)
			} else {
				d.More++
			}
		},
	})
	d.Done, d.FileName, d.Summary = true, name, sum
	status := http.StatusOK
	var fileErr *orders.FileError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &fileErr):
		d.Done = sum.Rows > 0
		d.Error, status = strings.TrimPrefix(fileErr.Error(), "csv: "), http.StatusUnprocessableEntity
	case errors.As(err, &tooBig):
		d.Error, status = d.T("admin.import.too_big", "MiB", tooBig.Limit>>20), http.StatusRequestEntityTooLarge
	case err != nil:
		h.log.Error("csv import failed", "file", name, "rows", sum.Rows, "err", err)
		d.Error, status = d.T("admin.import.failed"), http.StatusInternalServerError
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		status = http.StatusOK // htmx swaps only 2xx answers; the fragment carries the error
	}
	h.log.Info("csv import", "file", name, "by", d.Staff.Email, "created", sum.Created, "updated", sum.Updated,
		"unchanged", sum.Unchanged, "failed", sum.Failed)
	return h.views.Render(c, status, "admin/import", "result", d)
}

// importFile finds the uploaded file: streamed from the multipart body, or
// from the parsed form when something before the handler (the CSRF check of
// a form sent without the X-CSRF-Token header) has already read it.
func importFile(c echo.Context) (io.Reader, string, error) {
	r := c.Request()
	if r.MultipartForm != nil {
		fh, err := c.FormFile("file")
		if err != nil {
			return nil, "", err
		}
		f, err := fh.Open()
		if err != nil {
			return nil, "", err
		}
		c.Response().After(func() { f.Close() })
		return f, fh.Filename, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", err
	}
	for {
		p, err := mr.NextPart()
		if err != nil {
			return nil, "", err
		}
		if p.FormName() == "file" && p.FileName() != "" {
			return p, p.FileName(), nil
		}
		_, _ = io.Copy(io.Discard, p)
	}
}
