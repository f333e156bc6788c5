#pragma once
// physiology::UvaPadovaModel: the 13-state UVA/Padova type-1 diabetes model, 2008 academic version
// (Dalla Man, Rizza, Cobelli, IEEE TBME 54:1740, 2007 for the meal model; Kovatchev et al.,
// J Diabetes Sci Technol 3:44, 2009 for the in-silico population), written exactly as the
// open-source reference implementation simglucose (Jinyu Xie, MIT licence) integrates it.
// Equations: /work/shared/spec/physiology.md section 1 and docs/models/glucose.md.
//
// The model advances in 1-minute steps with inputs (carbohydrate ingestion, insulin rate) held
// constant over each minute, like simglucose. The derivative is a pure function so a test can
// integrate it with an independent solver.
#include <array>
#include <span>
#include <string_view>

namespace twinbed::physiology {

// Every parameter of one virtual patient, in the column order of data/uva_padova/vpatient_params.csv
// (the generated table physiology/UvaPadovaPatients.cpp initialises them by name in this order).
// Symbols follow Dalla Man et al. 2007; units in the comments (per kg = per kg of body weight).
struct UvaPadovaParams {
  std::array<double, 13> x0{};  // initial (basal steady) state, units as in UvaPadovaModel::State
  double bw_kg = 0.0;           // body weight
  double egpb = 0.0;            // basal endogenous glucose production, mg/kg/min
  double gb_mg_dl = 0.0;        // basal plasma glucose
  double ib = 0.0;              // basal plasma insulin, pmol/L
  double kabs = 0.0;            // intestinal absorption rate, 1/min
  double kmax = 0.0;            // maximum gastric emptying rate, 1/min
  double kmin = 0.0;            // minimum gastric emptying rate, 1/min
  double b = 0.0;               // fraction of the dose at which kgut falls to (kmax+kmin)/2
  double d = 0.0;               // fraction of the dose at which kgut is back to (kmax+kmin)/2
  double vg_dl_per_kg = 0.0;    // glucose distribution volume
  double vi_l_per_kg = 0.0;     // insulin distribution volume
  double ipb = 0.0;             // basal plasma insulin, pmol/kg
  double vmx = 0.0;             // insulin-dependent glucose utilisation, mg/kg/min per pmol/L
  double km0 = 0.0;             // Michaelis-Menten constant of utilisation, mg/kg
  double k2 = 0.0;              // tissue -> plasma glucose rate, 1/min
  double k1 = 0.0;              // plasma -> tissue glucose rate, 1/min
  double p2u = 0.0;             // rate of insulin action on utilisation, 1/min
  double m1 = 0.0;              // liver -> plasma insulin rate, 1/min
  double m5 = 0.0;              // hepatic extraction parameter (not used by the 2008 equations)
  double cl = 0.0;              // insulin clearance, L/min (not used by the equations)
  double heb = 0.0;             // basal hepatic extraction (not used by the equations)
  double m2 = 0.0;              // plasma -> liver insulin rate, 1/min
  double m4 = 0.0;              // peripheral insulin degradation rate, 1/min
  double m30 = 0.0;             // basal hepatic insulin degradation rate, 1/min
  double ilb = 0.0;             // basal liver insulin, pmol/kg
  double ki = 0.0;              // delay of insulin action on production, 1/min
  double kp2 = 0.0;             // liver glucose effectiveness, 1/min
  double kp3 = 0.0;             // insulin action on production, mg/kg/min per pmol/L
  double f = 0.0;               // fraction of intestinal absorption reaching plasma
  double gpb = 0.0;             // basal plasma glucose mass, mg/kg
  double ke1 = 0.0;             // renal excretion rate, 1/min
  double ke2 = 0.0;             // renal threshold, mg/kg
  double fsnc = 0.0;            // insulin-independent utilisation, mg/kg/min
  double gtb = 0.0;             // basal tissue glucose, mg/kg
  double vm0 = 0.0;             // basal glucose utilisation, mg/kg/min
  double rdb = 0.0;             // basal rate of disappearance, mg/kg/min (not used)
  double pcrb = 0.0;            // basal pancreatic response (not used in T1D)
  double kd = 0.0;              // subcutaneous insulin Isc1 -> Isc2 rate, 1/min
  double ksc = 0.0;             // plasma -> subcutaneous glucose rate, 1/min
  double ka1 = 0.0;             // Isc1 -> plasma absorption rate, 1/min
  double ka2 = 0.0;             // Isc2 -> plasma absorption rate, 1/min
  double dosekempt = 0.0;       // reference meal dose of the gastric emptying model, mg (not used)
  double u2ss = 0.0;            // steady-state basal insulin, pmol/kg/min
  double isc1ss = 0.0;          // steady-state Isc1, pmol/kg
  double isc2ss = 0.0;          // steady-state Isc2, pmol/kg
  double kp1 = 0.0;             // extrapolated EGP at zero glucose and insulin, mg/kg/min
};

// One virtual patient of the table, with the therapy settings of data/uva_padova/Quest.csv.
struct UvaPadovaPatient {
  std::string_view name;  // "adolescent#001" ... "adult#010" ... "child#010"
  UvaPadovaParams params;
  double cr_g_per_u = 0.0;       // carbohydrate ratio
  double cf_mg_dl_per_u = 0.0;   // correction factor
  double age_years = 0.0;
  double tdi_u = 0.0;            // total daily insulin, U/day
};

// The 30 patients, in the order of the CSV (defined in the generated UvaPadovaPatients.cpp).
std::span<const UvaPadovaPatient> uva_padova_patients();
// nullptr when no patient has that name.
const UvaPadovaPatient* find_uva_padova_patient(std::string_view name);

// State x0..x12 (spec numbering): Qsto1, Qsto2, Qgut (mg); Gp, Gt (mg/kg); Ip (pmol/kg); X, I', Id
// (pmol/L); Il, Isc1, Isc2 (pmol/kg); Gs (mg/kg).
using UvaPadovaState = std::array<double, 13>;

// Pure right-hand side dx/dt = F(x; d, u, Dbar) of the model (spec section 1, simglucose
// T1DPatient.model): carbohydrate ingestion d in mg/min, subcutaneous insulin u in pmol/kg/min,
// Dbar (mg) the reference amount of the gastric-emptying nonlinearity.
void uva_padova_derivative(const UvaPadovaParams& p, const UvaPadovaState& x, double carbs_mg_per_min,
                           double insulin_pmol_per_kg_min, double dbar_mg, UvaPadovaState& dx);

class UvaPadovaModel {
public:
  using State = UvaPadovaState;

  // Classical RK4 sub-steps per minute. 2 is the cheapest count that keeps every patient within
  // 0.1 mg/dL of a tight adaptive Dormand-Prince solution (see docs/models/glucose.md for the
  // measured errors of 1, 2 and 4 sub-steps).
  static constexpr int SUBSTEPS_PER_MINUTE = 2;

  explicit UvaPadovaModel(const UvaPadovaParams& params);

  // Advances one minute: `carbs_g_this_minute` grams are eaten during this minute (the caller
  // spreads a meal at 5 g/min), insulin is infused subcutaneously at `insulin_u_per_min`.
  // Updates the meal bookkeeping (Qsto_last, foodtaken, Dbar) first, as simglucose does. No heap
  // allocation.
  void step_minute(double carbs_g_this_minute, double insulin_u_per_min);

  // Meal bookkeeping of simglucose's T1DPatient.step, shared with the test oracle so that both
  // integrate the same inputs. update() is called once per minute before integrating it: when
  // eating starts, Qsto_last = x0 + x1 and foodtaken = 0; while eating, foodtaken += grams.
  // Returns Dbar = Qsto_last + 1000 * foodtaken (mg), which keeps its value after the meal.
  struct MealMemory {
    double qsto_last_mg = 0.0;
    double foodtaken_g = 0.0;
    bool eating = false;
    double update(const State& x, double carbs_g_this_minute);
    double dbar_mg() const { return qsto_last_mg + 1000.0 * foodtaken_g; }
  };

  double plasma_glucose_mg_dl() const { return x_[3] / params_.vg_dl_per_kg; }
  double subcutaneous_glucose_mg_dl() const { return x_[12] / params_.vg_dl_per_kg; }
  // Basal rate that holds the initial steady state: u2ss * BW / 6000.
  double basal_u_per_min() const { return params_.u2ss * params_.bw_kg / 6000.0; }
  const State& state() const { return x_; }
  const UvaPadovaParams& params() const { return params_; }
  const MealMemory& meal_memory() const { return meal_; }

private:
  UvaPadovaParams params_;
  State x_{};
  MealMemory meal_;
};

}  // namespace twinbed::physiology
