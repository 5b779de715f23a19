package planreview

import (
	"fmt"
	"maps"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// collections names upload collections by their labels, as far as the plan knows them: from
// the datocms_upload_collection resources and data sources of its prior state and planned
// values. A reviewer reads "Photos → Archive", not two IDs.
type collections struct {
	before, after map[string]string // collection ID -> label, preferring the prior state or the planned values
	// created maps "<resource address>.<attribute>" to the label of a collection that the
	// plan creates and that attribute refers to in the configuration: its ID is unknown
	// until the apply, but its label is not.
	created map[string]string
}

func newCollections(p *tfjson.Plan) *collections {
	prior, planned := map[string]string{}, map[string]string{}
	unknownIDs := map[string]string{} // address -> label of planned collections without an ID yet
	if p.PriorState != nil && p.PriorState.Values != nil {
		eachCollection(p.PriorState.Values.RootModule, func(r *tfjson.StateResource, label string) {
			if id, ok := r.AttributeValues["id"].(string); ok {
				prior[id] = label
			}
		})
	}
	if p.PlannedValues != nil {
		eachCollection(p.PlannedValues.RootModule, func(r *tfjson.StateResource, label string) {
			if id, ok := r.AttributeValues["id"].(string); ok {
				planned[id] = label
			} else {
				unknownIDs[r.Address] = label
			}
		})
	}
	cs := &collections{before: maps.Clone(planned), after: maps.Clone(prior), created: map[string]string{}}
	maps.Copy(cs.before, prior)
	maps.Copy(cs.after, planned)
	if p.Config != nil && p.Config.RootModule != nil {
		for _, r := range p.Config.RootModule.Resources {
			for attr, expr := range r.Expressions {
				if expr == nil || expr.ExpressionData == nil {
					continue
				}
				for _, ref := range expr.References {
					if label, ok := unknownIDs[ref]; ok {
						cs.created[r.Address+"."+attr] = label
					}
				}
			}
		}
	}
	return cs
}

// eachCollection calls fn for every upload collection (resource or data source) in m and
// its child modules that has a label.
func eachCollection(m *tfjson.StateModule, fn func(r *tfjson.StateResource, label string)) {
	if m == nil {
		return
	}
	for _, r := range m.Resources {
		if label, ok := r.AttributeValues["label"].(string); ok && r.Type == typeCollection {
			fn(r, label)
		}
	}
	for _, child := range m.ChildModules {
		eachCollection(child, fn)
	}
}

// name shows the collection that f holds the ID of: its label in labels, else its ID. An
// unknown ID is named after the collection the plan creates for ref, if any; named is
// false when it is not.
func (cs *collections) name(f field, labels map[string]string, ref string) (t Text, named bool) {
	switch {
	case f.sensitive:
		return plain("(sensitive)"), true
	case f.unknown:
		if label, ok := cs.created[ref]; ok {
			return append(code(label), Span{S: " (created by this plan)"}), true
		}
		return plain("(known after apply)"), false
	case f.v == nil:
		return plain("(none)"), true
	}
	id := fmt.Sprint(f.v)
	if label, ok := labels[id]; ok && strings.TrimSpace(label) != "" {
		return code(label), true
	}
	return code(id), true
}
