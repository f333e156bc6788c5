// iso_time / parse_iso_time (harness/IsoTime.cpp) and parse_broker_url (harness/BrokerUrl.cpp).
#include <gtest/gtest.h>

#include <stdexcept>

#include "harness/Mqtt.hpp"
#include "harness/Payload.hpp"

using namespace twinbed;
using namespace twinbed::harness;

namespace {

constexpr std::int64_t START_2026 = 1767225600000;  // 2026-01-01T00:00:00Z (date -u -d @1767225600)

std::string broker_error(std::string_view url) {
  try {
    parse_broker_url(url);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted " << url;
  return "";
}

}  // namespace

TEST(IsoTime, Formats) {
  EXPECT_EQ(iso_time(START_2026, sim::Time::zero()), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(iso_time(START_2026, sim::Time::from_ms(3 * 3'600'000 + 12 * 60'000 + 41'200)), "2026-01-01T03:12:41.200Z");
  // Truncated toward minus infinity: 1 ns before the start is in the previous millisecond and year.
  EXPECT_EQ(iso_time(START_2026, sim::Time::from_ns(-1)), "2025-12-31T23:59:59.999Z");
  EXPECT_EQ(iso_time(START_2026, sim::Time::from_ns(999'999)), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(iso_time(0, sim::Time::zero()), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso_time(0, sim::Time::from_ms(-1)), "1969-12-31T23:59:59.999Z");
  // 2028 is a leap year: 2028-02-29 is day 789 after 2026-01-01 (365 + 365 + 31 + 28).
  EXPECT_EQ(iso_time(START_2026, sim::Time::from_days(789) + sim::Time::from_h(12)), "2028-02-29T12:00:00.000Z");
  EXPECT_EQ(iso_time(START_2026, sim::Time::from_days(790)), "2028-03-01T00:00:00.000Z");
  EXPECT_EQ(iso_time(START_2026, sim::Time::from_days(365) - sim::Time::from_ms(1)), "2026-12-31T23:59:59.999Z");
}

TEST(IsoTime, RoundTrips) {
  const std::vector<std::int64_t> starts{0, START_2026, 951782400000 /* 2000-02-29 */};
  const std::vector<sim::Time> instants{sim::Time::zero(),          sim::Time::from_ms(1),
                                        sim::Time::from_ms(-1),     sim::Time::from_ms(-86'400'001),
                                        sim::Time::from_days(789),  sim::Time::from_days(789) + sim::Time::from_ms(86'399'999),
                                        sim::Time::from_days(-3653), sim::Time::from_days(36500) + sim::Time::from_ms(123)};
  for (const std::int64_t start : starts) {
    for (const sim::Time t : instants) {
      const std::string text = iso_time(start, t);
      const std::optional<sim::Time> back = parse_iso_time(text, start);
      ASSERT_TRUE(back.has_value()) << text;
      EXPECT_EQ(*back, t) << text;
    }
  }
}

TEST(IsoTime, ParsesForms) {
  EXPECT_EQ(parse_iso_time("2026-01-01T00:00:00Z", START_2026), sim::Time::zero());
  EXPECT_EQ(parse_iso_time("2026-01-01T00:00:01.5Z", START_2026), sim::Time::from_ms(1500));
  EXPECT_EQ(parse_iso_time("2026-01-01T00:00:00.000000001Z", START_2026), sim::Time::from_ns(1));
  EXPECT_EQ(parse_iso_time("2026-01-01t00:00:00+00:00", START_2026), sim::Time::zero());
  EXPECT_EQ(parse_iso_time("2026-01-01T00:00:00z", START_2026), sim::Time::zero());
  EXPECT_EQ(parse_iso_time("2025-12-31T23:59:59Z", START_2026), sim::Time::from_s(-1));
  EXPECT_EQ(parse_iso_time("2028-02-29T00:00:00Z", START_2026), sim::Time::from_days(789));
  EXPECT_EQ(parse_iso_time("2000-02-29T00:00:00Z", 0), sim::Time::from_days(11016));  // 2000 is a leap year
  EXPECT_EQ(parse_iso_time("1969-12-31T23:59:59.999Z", 0), sim::Time::from_ms(-1));
}

TEST(IsoTime, RejectsMalformed) {
  for (const char* text :
       {"", "2026", "2026-01-01", "2026-01-01T00:00:00", "2026-01-01 00:00:00Z", "2026-01-01T00:00:00+01:00",
        "2026-01-01T00:00:00-00:00", "2026-01-01T00:00:00ZZ", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00.1234567890Z",
        "2026-1-01T00:00:00Z", "2026-01-1T00:00:00Z", "26-01-01T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z", "2026-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
        "2026-01-01T00:00:60Z", "2026-01-01T00:00:00.5 Z", "-2026-01-01T00:00:00Z", "+2026-01-01T00:00:00Z",
        "2026-01-01T00:00:0aZ", "yesterday", "1767225600000"}) {
    EXPECT_FALSE(parse_iso_time(text, START_2026).has_value()) << text;
  }
}

TEST(BrokerUrl, PortsAndDefaults) {
  struct Case {
    const char* url;
    bool tls;
    const char* host;
    int port;
  };
  for (const Case& c : std::vector<Case>{{"mqtt://127.0.0.1", false, "127.0.0.1", 1883},
                                         {"mqtt://localhost:1884", false, "localhost", 1884},
                                         {"mqtts://broker.example.org", true, "broker.example.org", 8883},
                                         {"mqtts://broker.example.org:443", true, "broker.example.org", 443},
                                         {"mqtt://h:1", false, "h", 1},
                                         {"mqtt://h:65535/", false, "h", 65535},
                                         {"mqtt://[::1]", false, "::1", 1883},
                                         {"mqtts://[::1]:8884", true, "::1", 8884}}) {
    const BrokerAddress address = parse_broker_url(c.url);
    EXPECT_EQ(address.tls, c.tls) << c.url;
    EXPECT_EQ(address.host, c.host) << c.url;
    EXPECT_EQ(address.port, c.port) << c.url;
  }
}

TEST(BrokerUrl, Errors) {
  const std::string allowed = "expected mqtt://host[:port] or mqtts://host[:port]";
  EXPECT_EQ(broker_error("http://h"), allowed);
  EXPECT_EQ(broker_error("MQTT://h"), allowed);
  EXPECT_EQ(broker_error("h:1883"), allowed);
  EXPECT_EQ(broker_error(""), allowed);
  EXPECT_EQ(broker_error("mqtt://"), "no host name; " + allowed);
  EXPECT_EQ(broker_error("mqtt://h/topic"), "no host name; " + allowed);
  EXPECT_EQ(broker_error("mqtt://user@h"), "no host name; " + allowed);
  EXPECT_EQ(broker_error("mqtt://h:0"), "port must be 1-65535; " + allowed);
  EXPECT_EQ(broker_error("mqtt://h:65536"), "port must be 1-65535; " + allowed);
  EXPECT_EQ(broker_error("mqtt://h:"), "port must be 1-65535; " + allowed);
  EXPECT_EQ(broker_error("mqtt://h:18a"), "port must be 1-65535; " + allowed);
  EXPECT_EQ(broker_error("mqtt://h:-1"), "port must be 1-65535; " + allowed);
  EXPECT_EQ(broker_error("mqtt://[::1"), allowed);
  EXPECT_EQ(broker_error("mqtt://[::1]x:1883"), allowed);
  EXPECT_EQ(broker_error("mqtt://[]:1883"), "no host name; " + allowed);
  // An IPv6 literal needs its brackets: "::1" would otherwise read as host ":" and port 1.
  EXPECT_EQ(broker_error("mqtt://::1"), "no host name; " + allowed);
}
