// MqttClient publishing: back-pressure, the buffer while the broker is away, and the account
// (harness/Mqtt.hpp PublishAccount). Every message is in exactly one of the account's places:
//   offered = acknowledged + pending + buffered + dropped_buffer_full + dropped_error + unsent_at_end
// A message moves under `mutex` only, so any snapshot adds up. See MqttClient.cpp for the
// libmosquitto behaviours this relies on.
#include <mosquitto.h>

#include <algorithm>
#include <thread>

#include "harness/MqttState.hpp"

namespace twinbed::harness {
namespace {

void take(Tally& from, const Tally& tally) {
  from.messages -= tally.messages;
  from.readings -= tally.readings;
}

}  // namespace

void MqttClient::State::publish(const std::string& topic, const std::string& payload, std::uint32_t readings) {
  const Tally tally{1, readings};
  {
    std::unique_lock lock(mutex);
    account.offered += tally;
    bool blocked = false;
    for (;;) {
      if (closing) {
        account.unsent_at_end += tally;
        return;
      }
      if (!connected) {
        hold(Held{topic, payload, readings, next_seq++});
        return;
      }
      // After a reconnect the buffer goes out first, in order; new messages wait behind it.
      const bool flushing = !buffer.empty() || !retained_buffer.empty() || pumping > 0;
      // Once blocked, wait for the window to drain a quarter: one wake-up per batch of PUBACKs
      // (or socket writes) rather than one per message.
      const std::uint64_t limit = blocked ? low_water : max_pending;
      if (!flushing && account.pending.messages < limit) break;
      // On the network thread (a MessageHandler publishing) waiting would wait for ourselves.
      if (std::this_thread::get_id() == network_id) break;
      blocked = true;
      ++waiters;
      // Bounded wait: a change of connection state notifies, the timeout is a safety net only.
      changed.wait_for(lock, std::chrono::milliseconds(100));
      --waiters;
    }
    account.pending += tally;
  }
  submit(topic, payload, readings, false);
}

void MqttClient::State::publish_retained(const std::string& topic, const std::string& payload) {
  {
    std::lock_guard lock(mutex);
    if (closing) return;
    if (!connected) {
      retained_buffer.push_back(Held{topic, payload, 0, 0});
      return;
    }
  }
  submit(topic, payload, 0, true);
}

void MqttClient::State::submit(const std::string& topic, const std::string& payload, std::uint32_t readings,
                               bool retained) {
  std::lock_guard send_lock(send_mutex);
  const int qos = retained ? 1 : options.qos;
  int mid = 0;
  const int rc = mosquitto_publish(mosq, &mid, topic.c_str(), static_cast<int>(payload.size()), payload.data(), qos,
                                   retained);
  // At QoS 1 the library has queued the message even when the socket was closed (NO_CONN).
  const bool queued = rc == MOSQ_ERR_SUCCESS || (rc == MOSQ_ERR_NO_CONN && qos == 1);
  const std::size_t index = static_cast<std::uint16_t>(mid);
  if (queued && qos == 0) {
    // Kept until on_publish: only send_mutex holders touch copies (here and rebuffer_unwritten).
    copies[index].topic.assign(topic);
    copies[index].payload.assign(payload);
  }
  const Tally tally{1, readings};
  std::lock_guard lock(mutex);
  if (queued) {
    Slot& slot = slots[index];
    if (slot.state == SlotState::acked_early) {
      // The network thread wrote it (QoS 0) or got its PUBACK before we got here.
      slot.state = SlotState::free;
      if (!retained) {
        take(account.pending, tally);
        account.acknowledged += tally;
      }
      return;
    }
    slot = Slot{next_seq++, readings, SlotState::pending, retained};
    if (retained) ++retained_pending;
    return;
  }
  if (rc == MOSQ_ERR_NO_CONN) {
    // QoS 0 and the connection dropped since publish() looked: keep it for the reconnect.
    if (retained) {
      retained_buffer.push_back(Held{topic, payload, 0, 0});
    } else {
      take(account.pending, tally);
      hold(Held{topic, payload, readings, next_seq++});
    }
    return;
  }
  if (!retained) {
    take(account.pending, tally);
    account.dropped_error += tally;
  }
  std::string line = "libmosquitto refused a message on ";
  line += topic;
  line += ": ";
  line += mosquitto_strerror(rc);
  add_error_line(line);
}

void MqttClient::State::pump() {
  for (;;) {
    Held message;
    bool retained = false;
    {
      std::lock_guard lock(mutex);
      if (!connected || closing) return;
      if (!retained_buffer.empty()) {
        message = std::move(retained_buffer.front());
        retained_buffer.pop_front();
        retained = true;
      } else if (!buffer.empty() && account.pending.messages < max_pending) {
        message = std::move(buffer.front());
        buffer.pop_front();
        const Tally tally{1, message.readings};
        take(account.buffered, tally);
        account.pending += tally;
      } else {
        return;
      }
      ++pumping;
    }
    submit(message.topic, message.payload, message.readings, retained);
    bool wake = false;
    {
      std::lock_guard lock(mutex);
      --pumping;
      wake = waiters > 0 && pumping == 0 && buffer.empty() && retained_buffer.empty();
    }
    if (wake) changed.notify_all();
  }
}

void MqttClient::State::hold(Held&& message) {
  const Tally tally{1, message.readings};
  if (options.buffer == 0) {
    account.dropped_buffer_full += tally;
    return;
  }
  if (buffer.size() >= options.buffer) {
    if (options.overflow == BufferOverflow::drop_newest) {
      account.dropped_buffer_full += tally;
      return;
    }
    const Tally oldest{1, buffer.front().readings};
    take(account.buffered, oldest);
    account.dropped_buffer_full += oldest;
    buffer.pop_front();
  }
  buffer.push_back(std::move(message));
  account.buffered += tally;
  account.buffered_peak = std::max<std::uint64_t>(account.buffered_peak, buffer.size());
}

void MqttClient::State::rebuffer_unwritten() {
  std::vector<std::uint16_t> lost;
  for (std::size_t mid = 0; mid < slots.size(); ++mid) {
    if (slots[mid].state == SlotState::pending && !slots[mid].retained) lost.push_back(static_cast<std::uint16_t>(mid));
  }
  std::sort(lost.begin(), lost.end(), [&](std::uint16_t a, std::uint16_t b) { return slots[a].seq < slots[b].seq; });
  // Newest first onto the front, so the buffer ends up oldest first. They are older than anything
  // already buffered; when the buffer is full they are the ones dropped (either policy: they are
  // the oldest, and they arrive at the buffer now).
  for (auto it = lost.rbegin(); it != lost.rend(); ++it) {
    Slot& slot = slots[*it];
    const Tally tally{1, slot.readings};
    slot.state = SlotState::free;
    take(account.pending, tally);
    if (buffer.size() >= options.buffer) {
      account.dropped_buffer_full += tally;
      continue;
    }
    buffer.push_front(Held{std::move(copies[*it].topic), std::move(copies[*it].payload), slot.readings, slot.seq});
    account.buffered += tally;
  }
  account.buffered_peak = std::max<std::uint64_t>(account.buffered_peak, buffer.size());
}

void MqttClient::State::give_up_unsent() {
  account.unsent_at_end += account.pending;
  account.unsent_at_end += account.buffered;
  account.pending = Tally{};
  account.buffered = Tally{};
  buffer.clear();
  retained_buffer.clear();
  // Acknowledgements still on their way now find free slots and are ignored.
  for (Slot& slot : slots) slot.state = SlotState::free;
  retained_pending = 0;
}

void MqttClient::State::published_cb(int mid) {
  bool wake = false;
  bool more = false;
  {
    std::lock_guard lock(mutex);
    Slot& slot = slots[static_cast<std::uint16_t>(mid)];
    if (slot.state == SlotState::pending) {
      slot.state = SlotState::free;
      if (slot.retained) {
        --retained_pending;
      } else {
        const Tally tally{1, slot.readings};
        take(account.pending, tally);
        account.acknowledged += tally;
      }
    } else {
      slot.state = SlotState::acked_early;  // submit() has not registered it yet
    }
    wake = waiters > 0 && account.pending.messages < low_water;
    more = !closing && (!buffer.empty() || !retained_buffer.empty());
  }
  if (wake) changed.notify_all();
  if (more) pump();
}

}  // namespace twinbed::harness
