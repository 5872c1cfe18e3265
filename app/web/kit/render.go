package kit

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// Renderer holds every page's templates, parsed once at start: each page is
// the layout and partials plus its own file.
type Renderer struct {
	pages map[string]*template.Template
	bufs  sync.Pool
}

// NewRenderer parses layout.html, partials/*.html and every pages/**.html of
// fsys; a template error stops the program at start, not at the first
// request.
func NewRenderer(fsys fs.FS, funcs template.FuncMap) (*Renderer, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, "layout.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("kit: parse layout: %w", err)
	}
	r := &Renderer{pages: map[string]*template.Template{}, bufs: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
	err = fs.WalkDir(fsys, "pages", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		t, err := base.Clone()
		if err != nil {
			return err
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if _, err := t.New(path.Base(p)).Parse(string(src)); err != nil {
			return fmt.Errorf("kit: parse %s: %w", p, err)
		}
		r.pages[strings.TrimSuffix(strings.TrimPrefix(p, "pages/"), ".html")] = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Has reports whether a page exists.
func (r *Renderer) Has(page string) bool { _, ok := r.pages[page]; return ok }

// Execute renders block ("layout" for the whole page, or a fragment defined
// by the page) of page into a buffer and then writes it, so a template error
// never leaves half a page.
func (r *Renderer) Execute(w http.ResponseWriter, status int, page, block string, data any) error {
	t, ok := r.pages[page]
	if !ok {
		return fmt.Errorf("kit: no page %q", page)
	}
	buf := r.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer r.bufs.Put(buf)
	if err := t.ExecuteTemplate(buf, block, data); err != nil {
		return fmt.Errorf("kit: render %s/%s: %w", page, block, err)
	}
	h := w.Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Add("Vary", "HX-Request")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// Render writes a page: the whole page for a normal request, the named
// fragment for an htmx request (IsHTMX) when fragment is not empty.
func (r *Renderer) Render(c echo.Context, status int, page, fragment string, data any) error {
	block := "layout"
	if fragment != "" && IsHTMX(c) {
		block = fragment
	}
	return r.Execute(c.Response(), status, page, block, data)
}
