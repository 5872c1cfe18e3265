package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/web/kit"

	"github.com/kedja/kedja/app/domain/apikeys"
	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/model"
)

type apiKeysData struct {
	adminView
	Keys    []*model.APIKey
	Name    string // the name typed, kept after a refusal
	NewKey  string // the key just created: on this one page, never again
	NewName string
}

func (s *Server) apiKeysPage(c echo.Context, status int, d apiKeysData) error {
	list, err := s.store.ListAPIKeys(c.Request().Context())
	if err != nil {
		return err
	}
	d.Keys = list
	return s.views.Render(c, status, "admin/apikeys", "", d)
}

// adminAPIKeys lists the API keys: name, prefix, created, last used, revoked.
func (s *Server) adminAPIKeys(c echo.Context) error {
	return s.apiKeysPage(c, http.StatusOK, apiKeysData{adminView: s.adminView(c, "admin.apikeys.title")})
}

// adminAPIKeyCreate makes a key and shows it on the page it answers with,
// the only time it is shown.
func (s *Server) adminAPIKeyCreate(c echo.Context) error {
	d := apiKeysData{adminView: s.adminView(c, "admin.apikeys.title"), Name: c.FormValue("name")}
	key, k, err := apikeys.Create(c.Request().Context(), s.store, d.Name, s.now())
	var ne refusal.Refusal
	if errors.As(err, &ne) {
		d.Error = ne.Text
		return s.apiKeysPage(c, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	// The page holds a secret: no cache, no history snapshot may keep it.
	c.Response().Header().Set("Cache-Control", "no-store")
	d.NewKey, d.NewName, d.Name = key, k.Name, ""
	return s.apiKeysPage(c, http.StatusOK, d)
}

// adminAPIKeyRevoke revokes a key: requests with it fail from now on.
func (s *Server) adminAPIKeyRevoke(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := apikeys.Revoke(c.Request().Context(), s.store, id, s.now()); err != nil {
		return err
	}
	return adminRedirect(c, "/admin/api-keys", "key_revoked")
}
