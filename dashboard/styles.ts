/** The dashboard's look, shared by its pages (inline <style>: the CSP allows inline styles only). */
export const dashboardStyles = `
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
  h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin-top: 1.8rem; } h3 { font-size: .95rem; margin: 1rem 0 .3rem; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { background: #f4f4f4; } .empty { color: #777; } .error { color: #b00020; } .count { color: #555; font-weight: normal; }
  button { margin-right: .3rem; } form { margin-bottom: 1rem; } input[type=password] { width: 22rem; }
  .filters label { margin-right: .6rem; } .filters input[type=search] { width: 18rem; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 1rem; }
  .charts figure { margin: 0; padding: .5rem; border: 1px solid #e3e3e3; } .charts figcaption { font-weight: 600; margin-bottom: .3rem; }
  .chart-box { position: relative; height: 260px; } /* chart.js sizes its canvas to this box */
  progress { width: 12rem; vertical-align: middle; }
  .stuck { background: #fff4e5; border-left: 4px solid #e08a00; padding: .5rem .8rem; }
  .facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; } .facts dt { color: #555; }
  .actions form { display: inline-block; border: 1px solid #e3e3e3; padding: .5rem; margin: 0 .5rem .5rem 0; vertical-align: top; }
  pre { background: #f7f7f7; padding: .5rem; overflow: auto; max-height: 24rem; }
  td pre { max-height: 8rem; margin: 0; font-size: 12px; }
`;
