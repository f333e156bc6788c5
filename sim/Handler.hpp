#pragma once
// sim::Handler: a move-only `void()` callable stored inline (small-buffer, never on the heap).
// Events hold their handler in a pooled slot, so scheduling allocates nothing in the steady state.
// A callable that does not fit is a compile-time error: keep captures small (pointers, indices,
// a Packet), and keep large state in the entity that owns it.
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace twinbed::sim {

class Handler {
public:
  static constexpr std::size_t CAPACITY = 64;

  Handler() = default;

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, Handler> && std::is_invocable_r_v<void, D&>>>
  Handler(F&& f) {  // NOLINT(google-explicit-constructor): lambdas convert implicitly by design
    static_assert(sizeof(D) <= CAPACITY, "event handler captures too much: keep captures within 64 bytes");
    static_assert(alignof(D) <= alignof(std::max_align_t), "over-aligned event handler");
    static_assert(std::is_nothrow_move_constructible_v<D>, "event handler must be nothrow-movable");
    ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
    ops_ = &OPS<D>;
  }

  Handler(Handler&& other) noexcept { take(other); }
  Handler& operator=(Handler&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  Handler(const Handler&) = delete;
  Handler& operator=(const Handler&) = delete;
  ~Handler() { reset(); }

  explicit operator bool() const { return ops_ != nullptr; }
  void operator()() { ops_->invoke(storage_); }

  void reset() {
    if (ops_ != nullptr && ops_->destroy != nullptr) ops_->destroy(storage_);
    ops_ = nullptr;
  }

private:
  struct Ops {
    void (*invoke)(void*);
    void (*move)(void* from, void* to);  // move-constructs into `to`, destroys `from`
    void (*destroy)(void*);              // nullptr when trivially destructible
  };

  template <class D>
  static constexpr Ops OPS{
      [](void* p) { (*static_cast<D*>(p))(); },
      [](void* from, void* to) {
        ::new (to) D(std::move(*static_cast<D*>(from)));
        static_cast<D*>(from)->~D();
      },
      std::is_trivially_destructible_v<D> ? nullptr : +[](void* p) { static_cast<D*>(p)->~D(); }};

  void take(Handler& other) noexcept {
    if (other.ops_ != nullptr) {
      other.ops_->move(other.storage_, storage_);
      ops_ = other.ops_;
      other.ops_ = nullptr;
    }
  }

  alignas(std::max_align_t) unsigned char storage_[CAPACITY];
  const Ops* ops_ = nullptr;
};

}  // namespace twinbed::sim
