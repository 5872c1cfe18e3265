package web

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/orders"
)

// maxShownRowErrors caps the bad rows listed on the result page; the
// summary still counts them all.
const maxShownRowErrors = 200

// importUploadTime is how long an upload may take to arrive and import: the
// server's ReadTimeout (30 s) is lifted for this route, since the file is
// read while its rows are written.
const importUploadTime = 30 * time.Minute

type importData struct {
	adminView
	Columns  []string
	Required []string
	Done     bool // an import ran: show its summary
	FileName string
	Summary  orders.Summary
	Bad      []orders.RowError // the first maxShownRowErrors
	More     int               // bad rows not listed
}

// adminImportForm shows the CSV upload form.
func (s *Server) adminImportForm(c echo.Context) error {
	return s.views.Render(c, http.StatusOK, "admin/import", "", s.importData(c))
}

func (s *Server) importData(c echo.Context) importData {
	return importData{adminView: s.adminView(c, "admin.import.title"), Columns: orders.CSVColumns, Required: orders.CSVRequired}
}

// adminImport streams the uploaded CSV file through the importer and shows
// the summary and the bad rows.
func (s *Server) adminImport(c echo.Context) error {
	d := s.importData(c)
	_ = http.NewResponseController(c.Response()).SetReadDeadline(time.Now().Add(importUploadTime))
	file, name, err := importFile(c)
	if err != nil {
		d.Error = d.T("admin.import.no_file")
		return s.views.Render(c, http.StatusUnprocessableEntity, "admin/import", "result", d)
	}
	sum, err := orders.ImportCSV(c.Request().Context(), s.store, s.bus, file, orders.CSVOptions{
		Now: s.now, Location: s.cfg.Location,
		OnError: func(e orders.RowError) {
			if len(d.Bad) < maxShownRowErrors {
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
		s.log.Error("csv import failed", "file", name, "rows", sum.Rows, "err", err)
		d.Error, status = d.T("admin.import.failed"), http.StatusInternalServerError
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		status = http.StatusOK // htmx swaps only 2xx answers; the fragment carries the error
	}
	s.log.Info("csv import", "file", name, "by", d.Staff.Email, "created", sum.Created, "updated", sum.Updated,
		"unchanged", sum.Unchanged, "failed", sum.Failed)
	return s.views.Render(c, status, "admin/import", "result", d)
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
