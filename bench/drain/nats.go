package main

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/controlplane/broker"
	"github.com/pynomaly/pynomaly/protocol"
)

// token is the NATS token of every broker and control plane here.
const token = "bench-token"

// startBroker starts the control plane's embedded NATS (the same options:
// JetStream on disk, SyncAlways) on its own, with the events stream as
// ingest creates it but no consumer, for the baselines without the store.
// With asControlPlane it is set up as the control plane sets its own up
// (an authorization callout declared), so that JetStream lives in the
// control plane's account, broker.Account: what is published through it is
// there for a control plane started later on the same directory.
func startBroker(ctx context.Context, storeDir string, asControlPlane bool) (*broker.Broker, error) {
	opts := broker.Options{Host: "127.0.0.1", StoreDir: storeDir, Token: token}
	if asControlPlane {
		issuer, err := nkeys.CreateAccount() // no callout answers: only the control plane's user gets in
		if err != nil {
			return nil, err
		}
		if opts.CalloutIssuer, err = issuer.PublicKey(); err != nil {
			return nil, err
		}
	}
	b, err := broker.Start(opts)
	if err != nil {
		return nil, err
	}
	js, nc, err := dial(b, asControlPlane)
	if err != nil {
		b.Shutdown()
		return nil, err
	}
	defer nc.Close()
	// The stream configuration of controlplane/ingest's setup.
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: protocol.StreamName, Subjects: protocol.EventsSubjects(),
		Storage: jetstream.FileStorage, Retention: jetstream.LimitsPolicy,
		MaxAge: 7 * 24 * time.Hour, Duplicates: 10 * time.Minute, AllowAtomicPublish: true,
	})
	if err != nil {
		b.Shutdown()
		return nil, fmt.Errorf("create stream: %w", err)
	}
	return b, nil
}

// dial connects to b over TCP with the token, as an agent's uplink does,
// or, asControlPlane, in process as the control plane.
func dial(b *broker.Broker, asControlPlane bool) (jetstream.JetStream, *nats.Conn, error) {
	var nc *nats.Conn
	var err error
	if asControlPlane {
		nc, err = b.Connect("bench-drain")
	} else {
		nc, err = nats.Connect(b.ClientURL(), nats.Token(token))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("connect %s: %w", b.ClientURL(), err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return js, nc, nil
}

// publishAll publishes entries as the uplink does (agent/uplink/drain.go):
// a window of window messages in flight with their ids as message ids,
// then wait for every acknowledgement, then the next window.
func publishAll(ctx context.Context, js jetstream.JetStream, agent string, entries []outbox.Entry, window int) error {
	subject := protocol.AlertSubject(agent)
	for start := 0; start < len(entries); start += window {
		futures := make([]jetstream.PubAckFuture, 0, window)
		for _, e := range entries[start:min(start+window, len(entries))] {
			f, err := js.PublishMsgAsync(&nats.Msg{Subject: subject, Data: e.Payload}, jetstream.WithMsgID(e.ID))
			if err != nil {
				return fmt.Errorf("publish %s: %w", e.ID, err)
			}
			futures = append(futures, f)
		}
		for _, f := range futures {
			select {
			case <-f.Ok():
			case err := <-f.Err():
				return fmt.Errorf("publish: %w", err)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}
