/*
 * test_registry.c - the channel-name map and the per-worker subscriber
 * sets of net/pubsub: lookups over arbitrary bytes, growth, removal
 * giving memory back, iteration while removing, and set membership.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "net/pubsub/chanmap.h"
#include "net/pubsub/registry.h"

Test(chanmap, add_find_remove)
{
	chanmap_t m;
	chanmap_init(&m);
	bool created;
	chan_entry_t *e = chanmap_add(&m, "news", 4, &created);
	cr_assert(e && created);
	e->value = (void *)1;
	cr_assert_eq(chanmap_add(&m, "news", 4, &created), e);
	cr_assert(!created);
	cr_assert_eq(chanmap_find(&m, "news", 4), e);
	cr_assert_null(chanmap_find(&m, "new", 3));
	cr_assert_null(chanmap_find(&m, "newsx", 5));
	cr_assert_eq(chanmap_remove(&m, "news", 4), (void *)1);
	cr_assert_null(chanmap_find(&m, "news", 4));
	cr_assert_eq(chanmap_count(&m), 0);
	cr_assert_null(m.buckets, "an empty map holds no memory");
	chanmap_free(&m);
}

Test(chanmap, binary_and_empty_names)
{
	chanmap_t m;
	chanmap_init(&m);
	bool created;
	cr_assert(chanmap_add(&m, "", 0, &created) && created);
	cr_assert(chanmap_add(&m, "a\0b", 3, &created) && created);
	cr_assert(chanmap_add(&m, "a\0c", 3, &created) && created);
	cr_assert(chanmap_find(&m, "", 0));
	cr_assert(chanmap_find(&m, "a\0b", 3));
	cr_assert_null(chanmap_find(&m, "a", 1));
	cr_assert_eq(chanmap_count(&m), 3);
	chanmap_free(&m);
}

Test(chanmap, grows_and_iterates_while_removing)
{
	chanmap_t m;
	chanmap_init(&m);
	char name[32];
	bool created;
	for (int i = 0; i < 10000; i++) {
		int n = snprintf(name, sizeof(name), "ch:%d", i);
		cr_assert(chanmap_add(&m, name, (size_t)n, &created) && created);
	}
	cr_assert_eq(chanmap_count(&m), 10000);
	for (int i = 0; i < 10000; i += 7) {
		int n = snprintf(name, sizeof(name), "ch:%d", i);
		cr_assert(chanmap_find(&m, name, (size_t)n), "%s", name);
	}
	/* Remove every entry as the iteration returns it: each seen once. */
	chanmap_iter_t it = { 0 };
	chan_entry_t *e;
	size_t seen = 0;
	while ((e = chanmap_next(&m, &it))) {
		char copy[32];
		memcpy(copy, e->name, e->len);
		chanmap_remove(&m, copy, e->len);
		seen++;
	}
	cr_assert_eq(seen, 10000);
	cr_assert_eq(chanmap_count(&m), 0);
	chanmap_free(&m);
}

struct ps_client { int id; };

Test(registry, members_come_and_go)
{
	chanmap_t m;
	chanmap_init(&m);
	struct ps_client a = { 1 }, b = { 2 }, c = { 3 };
	cr_assert(registry_add(&m, "ch", 2, &a));
	cr_assert(registry_add(&m, "ch", 2, &b));
	cr_assert(registry_add(&m, "ch", 2, &c));
	cr_assert(registry_add(&m, "other", 5, &a));
	const subs_set_t *s = registry_find(&m, "ch", 2);
	cr_assert(s && s->n == 3);
	registry_remove(&m, "ch", 2, &b);
	s = registry_find(&m, "ch", 2);
	cr_assert_eq(s->n, 2);
	bool has_a = false, has_c = false;
	for (uint32_t i = 0; i < s->n; i++) {
		has_a |= s->subs[i] == &a;
		has_c |= s->subs[i] == &c;
	}
	cr_assert(has_a && has_c);
	registry_remove(&m, "ch", 2, &b); /* not a member: nothing happens */
	cr_assert_eq(registry_find(&m, "ch", 2)->n, 2);
	registry_remove(&m, "ch", 2, &a);
	registry_remove(&m, "ch", 2, &c);
	cr_assert_null(registry_find(&m, "ch", 2), "the last member takes "
		       "the channel with it");
	cr_assert_eq(chanmap_count(&m), 1);
	registry_free(&m);
	cr_assert_eq(chanmap_count(&m), 0);
}

Test(registry, many_members)
{
	chanmap_t m;
	chanmap_init(&m);
	static struct ps_client cl[1000];
	for (int i = 0; i < 1000; i++)
		cr_assert(registry_add(&m, "big", 3, &cl[i]));
	cr_assert_eq(registry_find(&m, "big", 3)->n, 1000);
	for (int i = 0; i < 1000; i += 2)
		registry_remove(&m, "big", 3, &cl[i]);
	const subs_set_t *s = registry_find(&m, "big", 3);
	cr_assert_eq(s->n, 500);
	for (uint32_t i = 0; i < s->n; i++)
		cr_assert_eq((s->subs[i] - cl) % 2, 1);
	registry_free(&m);
}
