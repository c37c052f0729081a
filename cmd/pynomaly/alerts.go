package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pynomaly/pynomaly/controlplane/store"
)

func alertsList(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("alerts list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := clientFlags(fs, env)
	q := url.Values{}
	for _, name := range []string{"agent", "series", "from", "to", "cursor", "order"} {
		fs.Func(name, "filter: "+name, func(s string) error { q.Set(name, s); return nil })
	}
	limit := fs.Int("limit", 100, "alerts per page (1..1000)")
	output := fs.String("o", "table", "output: table or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	q.Set("limit", strconv.Itoa(*limit))
	var page store.AlertPage
	if err := newClient(*base).get(ctx, "/api/v1/alerts", q, &page); err != nil {
		return err
	}
	if *output == "json" {
		return writeJSON(stdout, page)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tAGENT\tSERIES\tVALUES\tSCORE\tSEVERITY\tID")
	for _, a := range page.Alerts {
		fmt.Fprintln(tw, alertRow(a, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if page.HasMore {
		fmt.Fprintf(stderr, "more alerts: --cursor %s\n", page.NextCursor)
	}
	return nil
}

// alertsWatch prints every alert the control plane has, then each new one
// as it arrives, until interrupted.
func alertsWatch(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("alerts watch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := clientFlags(fs, env)
	interval := fs.Duration("interval", time.Second, "poll interval")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c := newClient(*base)
	cursor := ""
	for {
		q := url.Values{"order": {"asc"}, "limit": {"1000"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page store.AlertPage
		if err := c.get(ctx, "/api/v1/alerts", q, &page); err != nil && ctx.Err() == nil {
			fmt.Fprintln(stderr, "watch:", err)
		}
		for _, a := range page.Alerts {
			fmt.Fprintln(stdout, "ALERT "+alertRow(a, "  "))
		}
		if page.NextCursor != "" {
			cursor = page.NextCursor
		}
		if page.HasMore {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*interval):
		}
	}
}

func alertRow(a store.StoredAlert, sep string) string {
	keys := make([]string, 0, len(a.Values))
	for k := range a.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = k + "=" + strconv.FormatFloat(a.Values[k], 'g', 6, 64)
	}
	return strings.Join([]string{
		a.Timestamp.Format(time.RFC3339), a.AgentID, a.Series, strings.Join(vals, ","),
		strconv.FormatFloat(a.Score, 'f', 4, 64), a.Severity, a.ID,
	}, sep)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
