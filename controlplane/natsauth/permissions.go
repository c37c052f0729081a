// Package natsauth admits agents to NATS with their own credentials, as
// the NATS server's authorization callout: the server hands every
// connection that is not the control plane's own to this service, which
// checks the agent's id and secret against the store and answers with a
// short-lived user whose permissions reach only that agent's subjects,
// its own desired state and the models assigned to it. The same service
// works for the embedded NATS server and for an external cluster
// configured with the block Config writes.
package natsauth

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"slices"

	"github.com/nats-io/jwt/v2"

	"github.com/pynomaly/pynomaly/protocol"
)

// ModelGrant is a model version an agent may read: its object name in
// protocol.ModelsBucket and the NUID its chunks are stored under.
type ModelGrant struct {
	Object string
	NUID   string
}

// Stream names and subject prefixes of the KV bucket and object store,
// as JetStream derives them.
var (
	desiredStream = "KV_" + protocol.DesiredBucket
	modelsStream  = "OBJ_" + protocol.ModelsBucket
)

// AgentPermissions are what an enrolled agent may do on NATS, and no
// more:
//   - publish its alerts and heartbeats on its own subjects;
//   - receive only on its own inbox prefix (replies, pushed consumers);
//   - watch and read its own key of the desired-state bucket;
//   - read the models it is assigned (their description and chunks).
//
// JetStream's API is reached by publishing requests; each request's
// subject names the stream and, for the ones allowed here, the subject
// it reads, so a permission on the request subject is a permission on
// the data.
func AgentPermissions(agentID string, models []ModelGrant) jwt.Permissions {
	var p jwt.Permissions
	key := "$KV." + protocol.DesiredBucket + "." + agentID
	p.Pub.Allow.Add(
		protocol.AlertSubject(agentID),
		protocol.HeartbeatSubject(agentID),
		"$JS.API.STREAM.INFO."+desiredStream,
		"$JS.API.STREAM.INFO."+modelsStream,
		"$JS.API.DIRECT.GET."+desiredStream+"."+key,
		"$JS.API.CONSUMER.CREATE."+desiredStream+".*."+key,
		// The client deletes its ordered consumers when done with them.
		// Their names are random and listing consumers is not allowed, so
		// this reaches no other agent's consumer in practice; without it
		// each one lingers until its inactivity threshold.
		"$JS.API.CONSUMER.DELETE."+desiredStream+".*",
		"$JS.API.CONSUMER.DELETE."+modelsStream+".*",
		// Flow control replies of the ordered consumers that watch the key
		// and read model chunks.
		"$JS.FC."+desiredStream+".>",
		"$JS.FC."+modelsStream+".>",
	)
	for _, m := range slices.SortedFunc(slices.Values(models), func(a, b ModelGrant) int {
		return cmp.Compare(a.Object, b.Object)
	}) {
		p.Pub.Allow.Add(
			"$JS.API.DIRECT.GET."+modelsStream+"."+ModelMetaSubject(m.Object),
			"$JS.API.CONSUMER.CREATE."+modelsStream+".*."+ModelChunkSubject(m.NUID),
		)
	}
	p.Sub.Allow.Add(protocol.AgentInboxPrefix(agentID) + ".>")
	return p
}

// ModelMetaSubject is the subject of a model object's description in the
// object store.
func ModelMetaSubject(object string) string {
	return fmt.Sprintf("$O.%s.M.%s", protocol.ModelsBucket, base64.URLEncoding.EncodeToString([]byte(object)))
}

// ModelChunkSubject is the subject of a model object's chunks.
func ModelChunkSubject(nuid string) string {
	return fmt.Sprintf("$O.%s.C.%s", protocol.ModelsBucket, nuid)
}
