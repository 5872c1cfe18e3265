package cases

import "github.com/kedja/kedja/app/model"

// MayAct reports whether by may act on the escalation e (acknowledge,
// resolve, hand its case over): the manager it is addressed to, that
// person's own manager, or an administrator. e needs its Manager loaded
// (store.EscalationByID and the escalation lists load it). The actions
// check it themselves; views use it to offer only what will be allowed.
func MayAct(e *model.Escalation, by *model.Staff) bool { return mayAct(e, by) }
