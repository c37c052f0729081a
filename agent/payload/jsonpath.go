package payload

import (
	"fmt"
	"strings"
)

// jsonNode is one key of the tree of configured paths, so Parse decodes
// each nested object once however many fields it holds.
//
// Example: fields "a.x", "a.y" and timestamp "ts" make
//
//	root ─┬─ a (object) ─┬─ x (slot 0)
//	      │              └─ y (slot 1)
//	      └─ ts (slotTime)
type jsonNode struct {
	key  string // key in the parent object
	path string // dot path from the root, for messages
	slot int    // index in Sample.Values, slotTime or slotObject
	kids []*jsonNode
	leaf *jsonNode // first value below an object, named when the object is missing
}

const (
	slotObject = -1
	slotTime   = -2
)

type jsonFormat struct {
	root  jsonNode
	names []string
}

func newJSONFormat(o Options) (*jsonFormat, error) {
	if len(o.Fields) == 0 {
		return nil, fmt.Errorf("json: fields: at least one field is required")
	}
	f := &jsonFormat{root: jsonNode{slot: slotObject}, names: make([]string, len(o.Fields))}
	for i, fl := range o.Fields {
		path, name := cmp(fl.Path, fl.Name), cmp(fl.Name, fl.Path)
		if path == "" {
			return nil, fmt.Errorf("json: fields[%d]: path or name is required", i)
		}
		if err := f.root.add(path, i); err != nil {
			return nil, fmt.Errorf("json: fields[%d]: %w", i, err)
		}
		f.names[i] = name
	}
	if err := uniqueNames("json: fields", f.names); err != nil {
		return nil, err
	}
	if o.TimestampPath != "" {
		if err := f.root.add(o.TimestampPath, slotTime); err != nil {
			return nil, fmt.Errorf("json: timestamp_path: %w", err)
		}
	}
	return f, nil
}

// cmp returns the first non-empty string, like cmp.Or.
func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// add inserts path below n, refusing a path that is used twice or that
// needs one key to be both a value and an object.
func (n *jsonNode) add(path string, slot int) error {
	keys := strings.Split(path, ".")
	var chain []*jsonNode
	for j, key := range keys {
		if key == "" {
			return fmt.Errorf("path %q has an empty key", path)
		}
		kid := n.child(key)
		switch {
		case kid == nil:
			kid = &jsonNode{key: key, path: strings.Join(keys[:j+1], "."), slot: slotObject}
			n.kids = append(n.kids, kid)
		case kid.slot != slotObject:
			return fmt.Errorf("path %q: %q is already a value", path, kid.path)
		case j == len(keys)-1:
			return fmt.Errorf("path %q is already an object holding %q", path, kid.leaf.path)
		}
		chain = append(chain, kid)
		n = kid
	}
	n.slot = slot
	for _, c := range chain {
		if c.leaf == nil {
			c.leaf = n
		}
	}
	return nil
}

func (n *jsonNode) child(key string) *jsonNode {
	for _, k := range n.kids {
		if k.key == key {
			return k
		}
	}
	return nil
}
