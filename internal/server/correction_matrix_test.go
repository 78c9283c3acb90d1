package server_test

import "baobei/internal/domain"

// mxRoutesCorrections are the routes of corrections: the owner and their
// manager edit a registration (sales1's active claim Held); clerks and
// admins void a visit or a deal.
var mxRoutesCorrections = func() []mxRoute {
	editors := []domain.Role{rS, rM}
	voiders := []domain.Role{rC, rA}
	idHeld := func(d tenantData) int64 { return d.Held }
	idVisit := func(d tenantData) int64 { return d.Visit }
	const editForm = `customer.kind=company&customer.name=苏州园区软件有限公司&customer.industry=电子&customer.address=浙江省杭州市` +
		`&customer.contacts.0.name=李经理&customer.contacts.0.phone=13500000003&customer.contacts.0.relation=self&grade=H&needs=matrix`
	return []mxRoute{
		{method: "GET", pattern: "/registrations/{id}/edit", allow: editors, id: idHeld},
		{method: "POST", pattern: "/registrations/{id}/edit", allow: editors, id: idHeld, body: editForm},
		{method: "POST", pattern: "/visits/{id}/void", allow: voiders, id: idVisit, body: `reason=matrix`},
		{method: "POST", pattern: "/deals/{id}/void", allow: voiders, id: idDeal, body: `reason=matrix`},
		{method: "PATCH", pattern: "/api/v1/registrations/{id}", allow: editors, hide: []domain.Role{rF}, id: idHeld, body: `{"grade":"H"}`},
		{method: "POST", pattern: "/api/v1/visits/{id}/void", allow: voiders, id: idVisit, body: `{"reason":"matrix"}`},
		{method: "POST", pattern: "/api/v1/deals/{id}/void", allow: voiders, id: idDeal, body: `{"reason":"matrix"}`},
	}
}()

func init() { mxRoutes = append(mxRoutes, mxRoutesCorrections...) }
