package provider

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// Plan checks that pin down exactly what a reviewer sees: which attributes change, and which
// are "(known after apply)". plancheck's own checks look at one attribute at a time; these
// compare the whole set, so a new unknown or a new change anywhere fails the test.

func resourceChange(plan *tfjson.Plan, address string) (*tfjson.ResourceChange, error) {
	if plan == nil {
		return nil, fmt.Errorf("plan is nil")
	}
	for _, rc := range plan.ResourceChanges {
		if rc.Address == address {
			return rc, nil
		}
	}
	return nil, fmt.Errorf("%s is not in the plan", address)
}

type planCheckFunc func(rc *tfjson.ResourceChange) error

type resourcePlanCheck struct {
	address string
	check   planCheckFunc
}

func (c resourcePlanCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	rc, err := resourceChange(req.Plan, c.address)
	if err == nil {
		err = c.check(rc)
	}
	resp.Error = err
}

// expectUnknownAttributes asserts that exactly these top-level attributes are unknown in the plan.
func expectUnknownAttributes(address string, want ...string) plancheck.PlanCheck {
	return resourcePlanCheck{address, func(rc *tfjson.ResourceChange) error {
		var got []string
		if m, ok := rc.Change.AfterUnknown.(map[string]any); ok {
			for k, v := range m {
				if v == true {
					got = append(got, k)
				}
			}
		}
		return compareNames("unknown", address, got, want)
	}}
}

// expectChangedAttributes asserts that exactly these top-level attributes differ between
// before and after (an unknown after counts as a change).
func expectChangedAttributes(address string, want ...string) plancheck.PlanCheck {
	return resourcePlanCheck{address, func(rc *tfjson.ResourceChange) error {
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		unknown, _ := rc.Change.AfterUnknown.(map[string]any)
		keys := map[string]bool{}
		for k := range before {
			keys[k] = true
		}
		for k := range after {
			keys[k] = true
		}
		for k := range unknown {
			keys[k] = true
		}
		var got []string
		for k := range keys {
			if unknown[k] == true || !reflect.DeepEqual(before[k], after[k]) {
				got = append(got, k)
			}
		}
		return compareNames("changed", address, got, want)
	}}
}

// expectAttributeChange asserts one attribute's before and after values.
func expectAttributeChange(address, attr string, before, after any) plancheck.PlanCheck {
	return resourcePlanCheck{address, func(rc *tfjson.ResourceChange) error {
		b, _ := rc.Change.Before.(map[string]any)
		a, _ := rc.Change.After.(map[string]any)
		// Compare printed values: plan JSON numbers do not decode as float64.
		if fmt.Sprint(b[attr]) != fmt.Sprint(before) || fmt.Sprint(a[attr]) != fmt.Sprint(after) {
			return fmt.Errorf("%s.%s: planned %v -> %v, want %v -> %v", address, attr, b[attr], a[attr], before, after)
		}
		return nil
	}}
}

func compareNames(what, address string, got, want []string) error {
	sort.Strings(got)
	want = slices.Clone(want)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		return fmt.Errorf("%s: %s attributes are %v, want %v", address, what, got, want)
	}
	return nil
}

// lazyPlanCheck builds its check when the step runs (after PreConfig), for checks whose
// expected values depend on what PreConfig wrote.
type lazyPlanCheck func() plancheck.PlanCheck

func (l lazyPlanCheck) CheckPlan(ctx context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	l().CheckPlan(ctx, req, resp)
}

// wrappedError matches an error pattern against Terraform's output, which wraps long
// lines: every space in pattern matches any run of whitespace, and "." matches newlines.
func wrappedError(pattern string) *regexp.Regexp {
	return regexp.MustCompile("(?s)" + strings.ReplaceAll(pattern, " ", `\s+`))
}

// planSideEffect runs f between plan and apply (as a PreApply plan check), to change the
// world after Terraform has made its plan.
type planSideEffect func() error

func (f planSideEffect) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f()
}

// serverCheck asserts something about the local API server after a step's apply.
type serverCheck func() error

func (f serverCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f()
}
