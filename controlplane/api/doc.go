// Package api is the control plane's HTTP interface: the REST API under
// /api/v1, the /health and /ready probes and the /metrics endpoint.
//
// Every error body has the shape {"error": {"code": "...", "message": "..."}}
// so clients can branch on the code and show the message.
package api
