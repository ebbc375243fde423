package io.switchboard.presence;

import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who watches whom, from the presentity's side: its live SIP subscriptions and the users who have it
 * on their buddy list (their consoles). A change to one presentity touches only its own watchers,
 * never every profile or subscription in the system. Kept in step by {@link Subscriptions} and
 * {@link Profiles}; SIP context only.
 */
final class WatcherIndex {

  private final Map<String, Subscription> byKey = new HashMap<>();
  private final Map<String, Set<Subscription>> subscriptionsByPresentity = new HashMap<>();
  /** The presentity's own watcher-info subscriptions, told of every watcher who comes or goes. */
  private final Map<String, Set<Subscription>> winfoByPresentity = new HashMap<>();
  private final Map<String, Set<String>> buddyWatchersByPresentity = new HashMap<>();
  /** Live subscriptions per event package, readable from any thread (the metrics' gauges). */
  private final Map<EventPackage, AtomicInteger> countByPackage = new EnumMap<>(EventPackage.class);

  WatcherIndex() {
    for (EventPackage pkg : EventPackage.values()) {
      countByPackage.put(pkg, new AtomicInteger());
    }
  }

  void add(Subscription s) {
    Subscription replaced = byKey.put(s.key(), s);
    if (replaced != null) {
      countByPackage.get(replaced.pkg).decrementAndGet();
    }
    countByPackage.get(s.pkg).incrementAndGet();
    subscriptionsByPresentity.computeIfAbsent(s.presentity, k -> new LinkedHashSet<>()).add(s);
    if (s.pkg == EventPackage.WINFO) {
      winfoByPresentity.computeIfAbsent(s.presentity, k -> new LinkedHashSet<>()).add(s);
    }
  }

  void remove(Subscription s) {
    Subscription removed = byKey.remove(s.key());
    if (removed != null) {
      countByPackage.get(removed.pkg).decrementAndGet();
    }
    removeFrom(subscriptionsByPresentity, s);
    removeFrom(winfoByPresentity, s);
  }

  private static void removeFrom(Map<String, Set<Subscription>> byPresentity, Subscription s) {
    Set<Subscription> set = byPresentity.get(s.presentity);
    if (set != null && set.remove(s) && set.isEmpty()) {
      byPresentity.remove(s.presentity);
    }
  }

  Subscription find(String key) {
    return byKey.get(key);
  }

  /** The presentity's live subscriptions, as a copy: notifying may end some of them. */
  List<Subscription> subscriptionsOf(String presentity) {
    Set<Subscription> set = subscriptionsByPresentity.get(presentity);
    return set == null ? List.of() : List.copyOf(set);
  }

  List<Subscription> winfoSubscriptionsOf(String presentity) {
    Set<Subscription> set = winfoByPresentity.get(presentity);
    return set == null ? List.of() : List.copyOf(set);
  }

  Collection<Subscription> allSubscriptions() {
    return List.copyOf(byKey.values());
  }

  int subscriptionCount() {
    return byKey.size();
  }

  /** Live subscriptions of one event package; safe from any thread. */
  int subscriptionCount(EventPackage pkg) {
    return countByPackage.get(pkg).get();
  }

  /** Users who have the presentity on their buddy list. */
  Set<String> buddyWatchersOf(String presentity) {
    Set<String> set = buddyWatchersByPresentity.get(presentity);
    return set == null ? Set.of() : Set.copyOf(set);
  }

  /** The watcher's buddy list went from {@code before} to {@code after} (usernames). */
  void buddiesChanged(String watcher, Set<String> before, Set<String> after) {
    for (String gone : before) {
      if (!after.contains(gone)) {
        Set<String> set = buddyWatchersByPresentity.get(gone);
        if (set != null && set.remove(watcher) && set.isEmpty()) {
          buddyWatchersByPresentity.remove(gone);
        }
      }
    }
    for (String added : after) {
      if (!before.contains(added)) {
        buddyWatchersByPresentity.computeIfAbsent(added, k -> new HashSet<>()).add(watcher);
      }
    }
  }
}
