package flyteremote_test

import (
	"fmt"
	"time"

	fr "github.com/flyteremote/flyteremote-go"
)

// The cache key of a run, computed offline. The hint's hash function keys
// "requested_by" by a constant, so every requester shares the cache entry; the tag is
// the one the C quickstart (examples/quickstart.c) predicts and the server uses.
func ExampleCacheKey() {
	hints := map[string]fr.TypeHint{
		"requested_by": {Hash: fr.HashFunc(func(any) (string, error) { return "any-requester", nil })},
	}
	for _, who := range []string{"alice", "bob"} {
		key, err := fr.CacheKey(map[string]any{"n": 10, "requested_by": who}, hints, nil)
		if err != nil {
			panic(err)
		}
		fmt.Println(who, key)
	}
	// Output:
	// alice flyte_cached-itI_w3bDcgi888nrqoUXbV7qnWegDrSRL5SOlHSyCXc
	// bob flyte_cached-itI_w3bDcgi888nrqoUXbV7qnWegDrSRL5SOlHSyCXc
}

func ExampleToLiteralJSON() {
	js, _ := fr.ToLiteralJSON(90*time.Second, fr.Duration())
	fmt.Println(js)
	js, _ = fr.ToLiteralJSON([]int{1, 2}, fr.Collection(fr.Float()))
	fmt.Println(js)
	fmt.Println(fr.Collection(fr.Map(fr.BlobType("csv"))))
	// Output:
	// {"scalar":{"primitive":{"duration":"90s"}}}
	// {"collection":{"literals":[{"scalar":{"primitive":{"float_value":1}}},{"scalar":{"primitive":{"float_value":2}}}]}}
	// collection(map(blob(format=csv)))
}
