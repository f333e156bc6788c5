// The device runtime every type shares: schedule, battery, clock, faults, firmware.
#include <gtest/gtest.h>

#include "DeviceTestKit.hpp"

using namespace twinbed;

TEST(DeviceClock, FiftyPpmDriftIs4Point32SecondsPerDay) {
  const sim::Time day = sim::Time::from_days(1);
  EXPECT_EQ(devices::clock_error(day, sim::Time::zero(), 50.0, sim::Time::zero()), sim::Time::from_ms(4320));
}
