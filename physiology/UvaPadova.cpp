#include "physiology/UvaPadova.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::physiology {

const UvaPadovaPatient* find_uva_padova_patient(std::string_view name) {
  for (const UvaPadovaPatient& patient : uva_padova_patients()) {
    if (patient.name == name) return &patient;
  }
  return nullptr;
}

void uva_padova_derivative(const UvaPadovaParams& p, const UvaPadovaState& x, double carbs_mg_per_min,
                           double insulin_pmol_per_kg_min, double dbar_mg, UvaPadovaState& dx) {
  // Spec section 1 (Dalla Man et al. 2007; simglucose T1DPatient.model), line by line.
  const double qsto = x[0] + x[1];
  double kgut = p.kmax;  // simglucose: kgut = kmax when Dbar = 0 (no meal yet)
  if (dbar_mg > 0.0) {
    const double aa = 5.0 / (2.0 * dbar_mg * (1.0 - p.b));
    const double cc = 5.0 / (2.0 * dbar_mg * p.d);
    kgut = p.kmin + (p.kmax - p.kmin) / 2.0 *
                        (std::tanh(aa * (qsto - p.b * dbar_mg)) - std::tanh(cc * (qsto - p.d * dbar_mg)) + 2.0);
  }
  dx[0] = -p.kmax * x[0] + carbs_mg_per_min;  // stomach, solid
  dx[1] = p.kmax * x[0] - kgut * x[1];        // stomach, liquid
  dx[2] = kgut * x[1] - p.kabs * x[2];        // gut

  const double ra = p.f * p.kabs * x[2] / p.bw_kg;          // rate of appearance, mg/kg/min
  const double egp = p.kp1 - p.kp2 * x[3] - p.kp3 * x[8];  // endogenous production, mg/kg/min
  const double renal = x[3] > p.ke2 ? p.ke1 * (x[3] - p.ke2) : 0.0;  // renal excretion
  dx[3] = std::max(egp, 0.0) + ra - p.fsnc - renal - p.k1 * x[3] + p.k2 * x[4];

  const double uid = (p.vm0 + p.vmx * x[6]) * x[4] / (p.km0 + x[4]);  // insulin-dependent use
  dx[4] = -uid + p.k1 * x[3] - p.k2 * x[4];

  dx[5] = -(p.m2 + p.m4) * x[5] + p.m1 * x[9] + p.ka1 * x[10] + p.ka2 * x[11];
  const double plasma_insulin = x[5] / p.vi_l_per_kg;  // I, pmol/L
  dx[6] = -p.p2u * x[6] + p.p2u * (plasma_insulin - p.ib);
  dx[7] = -p.ki * (x[7] - plasma_insulin);
  dx[8] = -p.ki * (x[8] - x[7]);
  dx[9] = -(p.m1 + p.m30) * x[9] + p.m2 * x[5];
  dx[10] = insulin_pmol_per_kg_min - (p.ka1 + p.kd) * x[10];
  dx[11] = p.kd * x[10] - p.ka2 * x[11];
  dx[12] = -p.ksc * x[12] + p.ksc * x[3];

  // simglucose multiplies these derivatives by (x >= 0): a state that went negative is frozen.
  for (const int i : {3, 4, 5, 9, 10, 11, 12}) {
    if (x[i] < 0.0) dx[i] = 0.0;
  }
}

double UvaPadovaModel::MealMemory::update(const State& x, double carbs_g_this_minute) {
  const bool eats = carbs_g_this_minute > 0.0;
  if (eats && !eating) {  // eating starts: remember what is still in the stomach
    qsto_last_mg = x[0] + x[1];
    foodtaken_g = 0.0;
  }
  eating = eats;
  if (eating) foodtaken_g += carbs_g_this_minute;
  return dbar_mg();
}

UvaPadovaModel::UvaPadovaModel(const UvaPadovaParams& params) : params_(params), x_(params.x0) {}

void UvaPadovaModel::step_minute(double carbs_g_this_minute, double insulin_u_per_min) {
  // Spec: d (mg/min) = grams this minute * 1000; u (pmol/kg/min) = U/min * 6000 / BW.
  const double d = carbs_g_this_minute * 1000.0;
  const double u = insulin_u_per_min * 6000.0 / params_.bw_kg;
  const double dbar = meal_.update(x_, carbs_g_this_minute);

  // Classical RK4 (fixed step h = 1/SUBSTEPS_PER_MINUTE min). Why not adaptive: the fastest
  // eigenvalues (kabs, m1 + m30 up to ~1.2 /min) sit well inside RK4's stability region at h = 0.5,
  // and a fixed step costs a fixed 4 * SUBSTEPS derivative evaluations with no branches on error
  // estimates, which keeps runs reproducible and cheap (docs/models/glucose.md).
  constexpr double h = 1.0 / SUBSTEPS_PER_MINUTE;
  State k1{}, k2{}, k3{}, k4{}, tmp{};
  for (int s = 0; s < SUBSTEPS_PER_MINUTE; ++s) {
    uva_padova_derivative(params_, x_, d, u, dbar, k1);
    for (std::size_t i = 0; i < 13; ++i) tmp[i] = x_[i] + 0.5 * h * k1[i];
    uva_padova_derivative(params_, tmp, d, u, dbar, k2);
    for (std::size_t i = 0; i < 13; ++i) tmp[i] = x_[i] + 0.5 * h * k2[i];
    uva_padova_derivative(params_, tmp, d, u, dbar, k3);
    for (std::size_t i = 0; i < 13; ++i) tmp[i] = x_[i] + h * k3[i];
    uva_padova_derivative(params_, tmp, d, u, dbar, k4);
    for (std::size_t i = 0; i < 13; ++i) x_[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
  }
}

}  // namespace twinbed::physiology
